package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.TargetStatus;
import dev.sluice.workflows.activities.LedgerActivities;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends a deployment's progress to the ledger (through a local activity) and to the Temporal UI's
 * current details: what changed since the last record, each time the tracker records.
 */
final class LedgerSync {

  private final DeploymentRequest request;
  private final boolean part;
  private LedgerActivities ledger;

  /**
   * @param part whether the deployment is a part of its parent's own flow (a target group): its
   *     events are the parent's, and it says where the parent is
   */
  LedgerSync(DeploymentRequest request, boolean part) {
    this.request = request;
    this.part = part;
  }

  /**
   * The ledger's activities, chosen at the first record: a local activity (the write runs in the
   * worker within the workflow task and leaves a marker in the history, no task for the server to
   * dispatch), or for a deployment started before that an activity task as it began with. Retried
   * as long as it takes (a ledger database down for a minute): local retries while the backoff is
   * short, then timers, each try recorded as it happens. The entry is not copied into the marker:
   * the ledger holds it.
   */
  private LedgerActivities ledger() {
    if (ledger == null) {
      RetryOptions retries =
          RetryOptions.newBuilder()
              .setInitialInterval(Duration.ofSeconds(1))
              .setMaximumInterval(Duration.ofSeconds(30))
              .build();
      ledger =
          Workflow.getVersion(ChangeIds.LEDGER_LOCAL_ACTIVITY, Workflow.DEFAULT_VERSION, 1)
                  == Workflow.DEFAULT_VERSION
              ? Workflow.newActivityStub(
                  LedgerActivities.class,
                  ActivityOptions.newBuilder()
                      .setSummary("record progress in the ledger")
                      .setStartToCloseTimeout(Duration.ofSeconds(30))
                      .setRetryOptions(retries)
                      .build())
              : Workflow.newLocalActivityStub(
                  LedgerActivities.class,
                  LocalActivityOptions.newBuilder()
                      .setSummary("record progress in the ledger")
                      .setStartToCloseTimeout(Duration.ofSeconds(30))
                      // Unlimited attempts must be spelled out: for a local activity without a
                      // schedule-to-close timeout the SDK reads 0 (unlimited) as no retry policy.
                      .setRetryOptions(
                          RetryOptions.newBuilder(retries)
                              .setMaximumAttempts(Integer.MAX_VALUE)
                              .build())
                      .setDoNotIncludeArgumentsIntoMarker(true)
                      .build());
    }
    return ledger;
  }

  /**
   * Sends what changed to the ledger. In a detached scope: a cancellation must not lose events (the
   * write is short and idempotent), and the compensation that follows needs it too.
   */
  void record(Progress p, TargetTable targets, EventLog log) {
    List<DeploymentEvent> events = log.takeUnrecorded();
    List<TargetStatus> changedTargets = targets.takeChanged();
    Workflow.setCurrentDetails(UiDetails.markdown(request, p, targets.all()));
    LedgerEntry entry =
        new LedgerEntry(
            request.deploymentId(),
            request.service().name(),
            request.version(),
            p.previousVersion,
            p.state,
            p.phase,
            p.batch,
            p.batches,
            p.reason,
            changedTargets,
            events,
            currentVersion(p, targets),
            p.waiting,
            p.trafficWeight);
    if (request.parentDeploymentId() != null) {
      recordUnderParent(p, changedTargets, events);
      return;
    }
    Workflow.newDetachedCancellationScope(() -> ledger().record(entry)).run();
  }

  /**
   * A child's progress goes to its parent's ledger row as it happens: its targets, its events
   * (shifted past the parent's numbers, typed {@code promotion.*} so none reads as the parent's own
   * start or end) and whether it is paused. Children of parents started before this was recorded
   * report only through their result.
   */
  private void recordUnderParent(
      Progress p, List<TargetStatus> changedTargets, List<DeploymentEvent> events) {
    if (request.parentEventBase() == null) {
      return;
    }
    List<DeploymentEvent> shifted = new ArrayList<>();
    for (DeploymentEvent e : events) {
      if (part && e.type().startsWith("control.")) {
        continue; // the parent recorded the control it passed on
      }
      shifted.add(
          new DeploymentEvent(
              request.parentEventBase() + e.seq(),
              e.at(),
              part ? e.type() : "promotion." + e.type(),
              e.target(),
              e.message()));
    }
    ChildEntry entry =
        part
            ? new ChildEntry(
                request.parentDeploymentId(),
                request.service().name(),
                p.state == DeploymentState.PAUSED,
                changedTargets,
                shifted,
                p.phase,
                p.batch,
                p.waiting)
            : new ChildEntry(
                request.parentDeploymentId(),
                request.service().name(),
                p.state == DeploymentState.PAUSED,
                changedTargets,
                shifted);
    Workflow.newDetachedCancellationScope(() -> ledger().recordChild(entry)).run();
  }

  /** The version the whole service runs after a final state, or null when the fleet is mixed. */
  private static String currentVersion(Progress p, TargetTable targets) {
    if (!p.state.isFinal()) {
      return null;
    }
    if (p.servingVersion != null) {
      return p.servingVersion;
    }
    return targets.commonVersion();
  }
}
