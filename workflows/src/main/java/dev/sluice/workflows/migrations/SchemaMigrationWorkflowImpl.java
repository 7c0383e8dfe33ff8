package dev.sluice.workflows.migrations;

import dev.sluice.model.MigrationSpec;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.MigrationActivities;
import dev.sluice.workflows.activities.MigrationActivities.Backfilled;
import dev.sluice.workflows.activities.MigrationActivities.Plan;
import dev.sluice.workflows.activities.MigrationActivities.Verified;
import dev.sluice.workflows.common.DeploymentSteps;
import dev.sluice.workflows.common.EventLines;
import dev.sluice.workflows.common.Steering;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Runs a migration's phases as activities. Everything before contract can be undone: an abort, a
 * cancellation or a failure there rolls back (expand's additions removed, the old schema as it
 * was). Contract is the point of no return; from there on, abort is refused and failures are
 * retried until a person steps in.
 */
public class SchemaMigrationWorkflowImpl implements SchemaMigrationWorkflow {

  private static final RetryOptions RETRY =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setMaximumInterval(Duration.ofMinutes(1))
          .setDoNotRetry(
              FailureTypes.INVALID_MIGRATION,
              FailureTypes.UNSUPPORTED_BY_DATABASE,
              FailureTypes.CONFIGURATION_ERROR)
          .build();

  /** DDL: expand and contract may wait on locks and build indexes; they heartbeat meanwhile. */
  private final MigrationActivities ddl =
      Workflow.newActivityStub(
          MigrationActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofHours(6))
              .setHeartbeatTimeout(Duration.ofMinutes(1))
              .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
              .setRetryOptions(RETRY)
              .build());

  /** Backfill: hours on a big table; a lost worker is noticed within the heartbeat timeout. */
  private final MigrationActivities copy =
      Workflow.newActivityStub(
          MigrationActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofDays(7))
              .setHeartbeatTimeout(Duration.ofSeconds(30))
              .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
              .setRetryOptions(RETRY)
              .build());

  private MigrationSpec spec;
  private Phase phase = Phase.CHECKING;
  private long rows;
  private String reason;
  private final EventLines events = new EventLines();
  private final Steering steering = new Steering();
  private boolean promoted;
  private CancellationScope work;

  @Override
  public Status run(MigrationSpec spec, String requestedBy) {
    this.spec = spec;
    event("migration " + spec.name() + " on " + spec.datasource() + " by " + requestedBy);
    try {
      work = Workflow.newCancellationScope(this::reversiblePhases);
      work.run();
      if (steering.aborted()) {
        return rollBack("aborted: " + steering.abortReason());
      }
    } catch (CanceledFailure cancelled) {
      if (steering.aborted()) {
        return rollBack("aborted: " + steering.abortReason());
      }
      // Cancelled from the Temporal UI: roll back, then end as cancelled.
      Workflow.newDetachedCancellationScope(() -> rollBack("cancelled from Temporal")).run();
      throw cancelled;
    } catch (ActivityFailure failed) {
      return rollBack("failed: " + DeploymentSteps.reason(failed));
    } catch (ApplicationFailure failed) {
      return rollBack("failed: " + DeploymentSteps.reason(failed));
    }
    phase(Phase.CONTRACTING);
    try {
      ddl.contract(spec);
    } catch (ActivityFailure failed) {
      // Past the point of no return: nothing to roll back to. A person reads why and reruns.
      reason = "contract failed: " + DeploymentSteps.reason(failed);
      event(reason);
      phase(Phase.FAILED);
      return status();
    }
    phase(Phase.COMPLETED);
    return status();
  }

  private void reversiblePhases() {
    Plan plan = ddl.check(spec);
    plan.summary().forEach(this::event);
    phase(Phase.EXPANDING);
    ddl.expand(spec);
    phase(Phase.BACKFILLING);
    for (int index : plan.backfills()) {
      Backfilled done = copy.backfill(spec, index);
      rows += done.rows();
      event(
          "operation "
              + (index + 1)
              + " backfilled: "
              + done.rows()
              + " rows in "
              + done.batches()
              + " batches ("
              + done.lockTimeouts()
              + " lock timeouts waited out)");
    }
    phase(Phase.VERIFYING);
    Verified verified = ddl.verify(spec);
    if (!verified.complete()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "verify failed: " + verified.problems(), FailureTypes.VERIFY_FAILED);
    }
    phase(Phase.WAITING);
    // Run by a release: tell it the schema is expanded and backfilled; it promotes us later.
    Workflow.getInfo()
        .getParentWorkflowId()
        .ifPresent(
            parent ->
                Workflow.newUntypedExternalWorkflowStub(parent).signal(READY_SIGNAL, spec.name()));
    MigrationSpec.Gate gate = spec.gate();
    if (gate.after() != null) {
      boolean early =
          Workflow.await(gate.after(), () -> (gate.promote() && promoted) || steering.aborted());
      event(early ? "gate opened by promote" : "gate opened after " + gate.after());
    } else {
      Workflow.await(() -> promoted || steering.aborted());
      event("gate opened by promote");
    }
  }

  private Status rollBack(String why) {
    reason = why;
    event(why);
    phase(Phase.ROLLING_BACK);
    ddl.rollback(spec);
    phase(Phase.ROLLED_BACK);
    return status();
  }

  @Override
  public Status status() {
    return new Status(
        spec == null ? null : spec.name(),
        spec == null ? null : spec.datasource(),
        phase,
        rows,
        reason,
        events.all());
  }

  @Override
  public void promote(String why) {
    if (phase.ordinal() <= Phase.WAITING.ordinal()) {
      promoted = true;
      event("promote" + (why == null || why.isBlank() ? "" : ": " + why));
    }
  }

  @Override
  public void abort(String why) {
    if (!phase.reversible() || phase == Phase.ROLLING_BACK) {
      event("abort refused in " + phase + ": contract has begun, the old schema is gone");
      return;
    }
    if (steering.abort(why == null || why.isBlank() ? null : why) && work != null) {
      work.cancel(); // stops a running backfill (it notices at its next heartbeat)
    }
  }

  private void phase(Phase next) {
    phase = next;
    event(next.name().toLowerCase());
  }

  private void event(String text) {
    events.add(text);
  }
}
