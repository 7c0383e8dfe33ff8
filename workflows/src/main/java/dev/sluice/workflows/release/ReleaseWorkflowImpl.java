package dev.sluice.workflows.release;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.FlagRollout;
import dev.sluice.model.Release;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.Strategies;
import dev.sluice.workflows.activities.FlagActivities;
import dev.sluice.workflows.activities.FlagActivities.RolloutCall;
import dev.sluice.workflows.activities.LedgerActivities;
import dev.sluice.workflows.activities.LedgerActivities.AbandonCall;
import dev.sluice.workflows.activities.LedgerActivities.BeginCall;
import dev.sluice.workflows.common.ChangeIds;
import dev.sluice.workflows.common.EventLines;
import dev.sluice.workflows.common.Steering;
import dev.sluice.workflows.flags.FlagRolloutWorkflow;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Phase;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** See {@link ReleaseWorkflow}. */
public class ReleaseWorkflowImpl implements ReleaseWorkflow {

  private final FlagActivities flags =
      Workflow.newActivityStub(
          FlagActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(1))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setMaximumAttempts(20)
                      .setDoNotRetry(FailureTypes.CONFIGURATION_ERROR, FailureTypes.FLAG_NOT_FOUND)
                      .build())
              .build());

  private final LedgerActivities ledger =
      Workflow.newActivityStub(
          LedgerActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setMaximumInterval(Duration.ofMinutes(1))
                      .setMaximumAttempts(30)
                      .build())
              .build());

  private Stage stage = Stage.MIGRATION;
  private String reason;
  private final EventLines events = new EventLines();
  private final Steering steering = new Steering();
  private boolean migrationReady;
  private boolean promoted;

  private Release release;
  private Promise<SchemaMigrationWorkflow.Status> migration;
  private boolean deployed;
  private boolean flagRolledOut;
  private String undoFailed;

  @Override
  public Status run(Release r) {
    this.release = r;
    event("release " + r.releaseId() + " by " + r.requestedBy());
    try {
      return stages();
    } catch (CanceledFailure cancelled) {
      Workflow.newDetachedCancellationScope(
              () -> undo(Stage.ROLLED_BACK, "cancelled from Temporal"))
          .run();
      throw cancelled;
    }
  }

  private Status stages() {
    if (release.migration() != null) {
      stage(Stage.MIGRATION);
      SchemaMigrationWorkflow child =
          Workflow.newChildWorkflowStub(
              SchemaMigrationWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(
                      SchemaMigrationWorkflow.workflowId(release.migration().datasource()))
                  .setStaticSummary(
                      "migration "
                          + release.migration().name()
                          + " for release "
                          + release.releaseId())
                  // A release that is terminated leaves no half-done schema: cancelled before
                  // contract, the migration rolls back.
                  .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                  .build());
      migration = Async.function(child::run, release.migration(), release.requestedBy());
      Workflow.await(() -> migrationReady || migration.isCompleted() || steering.aborted());
      if (!migrationReady) {
        if (steering.aborted()) {
          return undo(Stage.ROLLED_BACK, "aborted: " + steering.abortReason());
        }
        SchemaMigrationWorkflow.Status ended = migrationResult();
        reason =
            "migration ended " + (ended == null ? "FAILED" : ended.phase() + ": " + ended.reason());
        event(reason);
        closeDeploymentRecord(reason);
        stage = Stage.FAILED;
        return status();
      }
      event("migration expanded and backfilled; waiting at its gate");
    }
    if (release.deployment() != null) {
      stage(Stage.DEPLOYMENT);
      DeploymentResult result = deploy(release.deployment(), "deployment");
      if (result == null || result.state() != DeploymentState.SUCCEEDED) {
        return undo(
            Stage.ROLLED_BACK,
            "deployment "
                + release.deployment().version()
                + " ended "
                + (result == null ? "FAILED" : result.state() + ": " + result.reason()));
      }
      deployed = true;
      event("deployed " + release.deployment().version());
    }
    if (steering.aborted()) {
      return undo(Stage.ROLLED_BACK, "aborted: " + steering.abortReason());
    }
    if (release.flagRollout() != null) {
      stage(Stage.FLAG_ROLLOUT);
      FlagRollout rollout = release.flagRollout();
      FlagRolloutWorkflow child =
          Workflow.newChildWorkflowStub(
              FlagRolloutWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(rollout.rolloutId())
                  .setStaticSummary(
                      "roll out " + rollout.flagKey() + " for release " + release.releaseId())
                  .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                  .build());
      FlagRolloutWorkflow.Status result;
      try {
        result = child.run(rollout);
      } catch (ChildWorkflowFailure e) {
        result = null;
      }
      flagRolledOut = result != null && result.percent() > 0;
      if (result == null || !result.state().equals(FlagRolloutWorkflow.State.SUCCEEDED.name())) {
        return undo(
            Stage.ROLLED_BACK,
            "flag rollout of "
                + rollout.flagKey()
                + " ended "
                + (result == null ? "FAILED" : result.state() + ": " + result.reason()));
      }
      event("flag " + rollout.flagKey() + " at " + result.percent() + "%");
    }
    stage(Stage.GATE);
    if (release.gateAfter() != null) {
      Workflow.await(release.gateAfter(), () -> promoted || steering.aborted());
    } else {
      Workflow.await(() -> promoted || steering.aborted());
    }
    if (steering.aborted()) {
      return undo(Stage.ROLLED_BACK, "aborted: " + steering.abortReason());
    }
    stage(Stage.CONTRACT);
    if (migration != null) {
      runningMigration().promote("release " + release.releaseId());
      SchemaMigrationWorkflow.Status done = migrationResult();
      if (done == null || done.phase() != Phase.COMPLETED) {
        reason = "contract did not complete: " + (done == null ? "failed" : done.reason());
        event(reason);
        stage = Stage.FAILED;
        return status();
      }
      event("contract done");
    }
    stage(Stage.COMPLETED);
    return status();
  }

  private DeploymentResult deploy(DeploymentRequest request, String what) {
    try {
      return Workflow.newUntypedChildWorkflowStub(
              Strategies.workflowType(request.strategy()),
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(request.deploymentId())
                  .setStaticSummary(
                      what
                          + " "
                          + request.service().name()
                          + " "
                          + request.version()
                          + " for release "
                          + release.releaseId())
                  .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                  .build())
          .execute(DeploymentResult.class, request);
    } catch (ChildWorkflowFailure e) {
      event(what + " failed: " + e.getMessage());
      return null;
    }
  }

  /** Undoes what ran, newest first, as far as each stage can be undone; ends {@code outcome}. */
  private Status undo(Stage outcome, String why) {
    reason = why;
    event(why);
    if (flagRolledOut) {
      FlagRollout rollout = release.flagRollout();
      try {
        flags.setRollout(
            new RolloutCall(
                rollout.flagKey(),
                rollout.variant(),
                0,
                false,
                "release:" + release.releaseId() + " (" + release.requestedBy() + ")",
                why));
        event("flag " + rollout.flagKey() + " back to 0%");
      } catch (ActivityFailure e) {
        event("flag " + rollout.flagKey() + " could not be taken back: " + e.getMessage());
      }
    }
    if (!deployed) {
      closeDeploymentRecord(why);
    }
    if (deployed) {
      if (release.rollback() != null) {
        String refused = beginRollbackRecord();
        if (refused != null) {
          event("rollback to " + release.rollback().version() + " not started: " + refused);
          undoFailed = "rollback to " + release.rollback().version() + " not started: " + refused;
        } else {
          DeploymentResult back = deploy(release.rollback(), "rollback");
          event(
              "rollback to "
                  + release.rollback().version()
                  + ": "
                  + (back == null ? "FAILED" : back.state()));
          if (back == null) {
            closeRecord(release.rollback().deploymentId(), "its workflow did not start");
          }
          if (back == null || back.state() != DeploymentState.SUCCEEDED) {
            undoFailed =
                "rollback to "
                    + release.rollback().version()
                    + " ended "
                    + (back == null ? "FAILED" : back.state());
          }
        }
      } else {
        event("deployment of " + release.deployment().version() + " left in place: no rollback");
      }
    }
    if (migration != null && !migration.isCompleted()) {
      runningMigration().abort("release " + release.releaseId() + ": " + why);
      SchemaMigrationWorkflow.Status back = migrationResult();
      event("migration " + (back == null ? "FAILED" : back.phase()));
    }
    if (undoFailed != null && outcome == Stage.ROLLED_BACK) {
      // Not everything could be undone: a person has to look.
      outcome = Stage.FAILED;
      reason = why + "; " + undoFailed;
    }
    stage = outcome;
    event(outcome.name().toLowerCase());
    return status();
  }

  /**
   * The API recorded the release's deployment (and took its service) when the release began; when
   * the release ends before that deployment ran, its record is closed and the service freed. A
   * deployment that did start records its own end, and is left alone.
   */
  private void closeDeploymentRecord(String why) {
    if (release.deployment() == null) {
      return;
    }
    closeRecord(
        release.deployment().deploymentId(),
        "release " + release.releaseId() + " ended before this deployment: " + why);
  }

  /** Closes a PENDING deployment record that will never run (nothing if it ran). */
  private void closeRecord(String deploymentId, String why) {
    if (Workflow.getVersion(ChangeIds.RELEASE_LEDGER_RECORDS, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return;
    }
    try {
      ledger.abandon(new AbandonCall(deploymentId, why));
    } catch (ActivityFailure e) {
      event("could not close deployment " + deploymentId + " in the ledger: " + e.getMessage());
    }
  }

  /**
   * Records the rollback deployment and takes the service; why not, when the service is busy or
   * runs another version by now (going back would undo someone else's deployment).
   */
  private String beginRollbackRecord() {
    if (Workflow.getVersion(ChangeIds.RELEASE_LEDGER_RECORDS, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return null;
    }
    try {
      return ledger.begin(
          new BeginCall(release.rollback(), release.deployment().version(), release.releaseId()));
    } catch (ActivityFailure e) {
      return "the ledger did not record it: " + e.getMessage();
    }
  }

  /** The migration child, to signal: its promote opens its gate, its abort rolls it back. */
  private SchemaMigrationWorkflow runningMigration() {
    return Workflow.newExternalWorkflowStub(
        SchemaMigrationWorkflow.class,
        SchemaMigrationWorkflow.workflowId(release.migration().datasource()));
  }

  private SchemaMigrationWorkflow.Status migrationResult() {
    try {
      return migration.get();
    } catch (ChildWorkflowFailure e) {
      return null;
    }
  }

  @Override
  public Status status() {
    return new Status(stage, reason, events.all(), release == null ? null : Children.of(release));
  }

  @Override
  public void promote(String why) {
    if (stage.ordinal() <= Stage.GATE.ordinal()) {
      promoted = true;
      event(Steering.saying("promote", why));
    }
  }

  @Override
  public void abort(String why) {
    if (stage.ordinal() >= Stage.CONTRACT.ordinal()) {
      event("abort refused in " + stage + ": contract has begun");
      return;
    }
    steering.abort(why);
  }

  @Override
  public void migrationReady(String name) {
    migrationReady = true;
  }

  private void stage(Stage next) {
    stage = next;
    event(next.name().toLowerCase());
  }

  private void event(String what) {
    events.add(what);
  }
}
