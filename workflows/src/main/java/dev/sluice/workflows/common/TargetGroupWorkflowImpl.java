package dev.sluice.workflows.common;

import dev.sluice.model.Phase;
import dev.sluice.model.SmokeCheck;
import dev.sluice.model.Target;
import dev.sluice.ports.HealthChecker.HealthResult;
import dev.sluice.workflows.common.DeploymentTracker.Wake;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.util.ArrayList;
import java.util.List;

/**
 * A target group, top-down: do the job on the group's targets, batch after batch, and report each
 * target. It decides nothing its parent should (no rollback of other targets, no retry): a batch
 * with failures, an abort or a cancellation ends it, and the parent carries on from its report.
 */
public class TargetGroupWorkflowImpl extends ControlledWorkflow implements TargetGroupWorkflow {

  private final GroupWork work;

  @WorkflowInit
  public TargetGroupWorkflowImpl(GroupWork work) {
    super(work.request(), true);
    this.work = work;
  }

  @Override
  public GroupResult run(GroupWork ignored) {
    tracker.startPart(work.firstBatch(), work.batches(), work.known(), work.deployAttempted());
    List<Target> fleet = request.service().fleet();
    List<Target> failed = new ArrayList<>();
    String smokeFailure = null;
    boolean cancelled = false;
    try {
      switch (work.job()) {
        case UPGRADE -> failed.addAll(upgrade(fleet));
        case RESTORE -> {
          tracker.setPhase(Phase.ROLLING_BACK);
          failed.addAll(ops.restoreInOrder(fleet, work.batchSize()));
        }
        case SMOKE -> smokeFailure = smoke(fleet, work.smokeChecks());
        case STOP -> fleet.forEach(steps::stop);
      }
    } catch (TemporalFailure e) {
      if (!CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      // The parent was cancelled: it restores what this group touched, from this report.
      cancelled = true;
    }
    if (work.job() == Job.UPGRADE || work.job() == Job.RESTORE) {
      // What changed since the last target's end; smoke tests and stops change no target.
      Workflow.newDetachedCancellationScope(tracker::flush).run();
    }
    return new GroupResult(
        tracker.statuses(fleet),
        tracker.deployAttempted(fleet),
        failed.stream().map(Target::id).toList(),
        smokeFailure,
        cancelled);
  }

  /** Batch after batch, with the pause between them; the targets that failed. */
  private List<Target> upgrade(List<Target> fleet) {
    int size = work.batchSize();
    int count = (fleet.size() + size - 1) / size;
    for (int j = 0; j < count; j++) {
      int number = work.firstBatch() + j;
      if (!tracker.awaitUnpaused("batch " + number + "/" + work.batches())) {
        break;
      }
      tracker.enterPartBatch(number);
      List<Target> failed =
          ops.upgradeBatch(fleet.subList(j * size, Math.min(fleet.size(), (j + 1) * size)));
      if (!failed.isEmpty()) {
        return failed;
      }
      if (tracker.abortRequested()) {
        break;
      }
      if (j < count - 1) {
        tracker.setPhase(Phase.WAITING);
        Wake wake =
            tracker.waitFor(work.pause(), "pause after batch " + number + "/" + work.batches());
        if (wake == Wake.ABORTED) {
          break;
        }
      }
    }
    return List.of();
  }

  /** Every check on every target, stopping at the first failure. */
  private String smoke(List<Target> fleet, List<SmokeCheck> checks) {
    for (SmokeCheck check : checks) {
      for (Target target : fleet) {
        HealthResult result = steps.smoke(target, check);
        if (!result.healthy()) {
          return "GET " + check.path() + " on " + target.id() + ": " + result.lastError();
        }
      }
    }
    return null;
  }
}
