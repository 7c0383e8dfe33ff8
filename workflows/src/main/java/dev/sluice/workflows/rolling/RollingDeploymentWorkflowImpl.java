package dev.sluice.workflows.rolling;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.common.ControlledWorkflow;
import dev.sluice.workflows.common.DeploymentTracker;
import dev.sluice.workflows.common.TargetGroups;
import dev.sluice.workflows.common.TargetGroups.Slice;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Rolling deployment, top-down: for each batch, every target in it is drained, deployed,
 * health-checked and enabled (targets of one batch in parallel), with a pause between batches. A
 * target that fails is restored to its previous version and the deployment stops; with {@code
 * rollbackOnFailure} the targets already upgraded are restored too.
 *
 * <p>Compensation is data, not closures: a target's state says whether it needs restoring, so
 * rollback after a failure, an abort or a cancellation is the same walk over the targets.
 */
public class RollingDeploymentWorkflowImpl extends ControlledWorkflow
    implements RollingDeploymentWorkflow {

  @WorkflowInit
  public RollingDeploymentWorkflowImpl(DeploymentRequest request) {
    super(request);
  }

  @Override
  public DeploymentResult run(DeploymentRequest ignored) {
    tracker.start();
    return withRetries(() -> attempt(this::roll, this::restoreTouched));
  }

  /** After a failure outside a batch or a cancellation: every target touched goes back. */
  private DeploymentResult restoreTouched(DeploymentState outcome, String reason) {
    tracker.setPhase(Phase.ROLLING_BACK);
    List<Target> unrestored = ops.restoreAll(ops.touchedTargets());
    return tracker.finish(outcome, reason, unrestored);
  }

  private DeploymentResult roll() {
    List<List<Target>> batches = RollingPlan.batches(request.service().fleet(), request.rolling());
    tracker.setBatches(batches.size());
    ops.learnPreviousVersions();

    DeploymentResult failed =
        groups.use(request.service().fleet().size())
            ? rollInGroups(batches.size())
            : rollHere(batches);
    if (failed != null) {
      return failed;
    }
    if (!tracker.abortRequested()) {
      // Post-deploy monitoring: the whole fleet on the new version, watched for a while.
      Watched monitored = monitorAfterDeploy(ops.upgradedTargets());
      AnalysisResult verdict = monitored.result();
      if (verdict != null && verdict.verdict() == Verdict.FAIL && !tracker.abortRequested()) {
        tracker.setPhase(Phase.ROLLING_BACK);
        List<Target> unrestored = ops.restoreAll(ops.upgradedTargets());
        return tracker.finish(
            DeploymentState.ROLLED_BACK, "auto-rollback: " + verdict.reason(), unrestored);
      }
    }
    if (tracker.abortRequested()) {
      tracker.setPhase(Phase.ROLLING_BACK);
      List<Target> unrestored = ops.restoreAll(ops.upgradedTargets());
      return tracker.finish(DeploymentState.ABORTED, tracker.abortReason(), unrestored);
    }
    return tracker.finish(DeploymentState.SUCCEEDED, null, List.of());
  }

  /**
   * Batch after batch in this run, with the pause between them.
   *
   * @return the deployment's end after a batch with failures; null to carry on
   */
  private DeploymentResult rollHere(List<List<Target>> batches) {
    for (int i = 0; i < batches.size(); i++) {
      if (!tracker.awaitUnpaused("batch " + (i + 1) + "/" + batches.size())) {
        break;
      }
      tracker.enterBatch(i + 1);
      List<Target> failed = ops.upgradeBatch(batches.get(i));
      if (!failed.isEmpty()) {
        return failBatch(failed);
      }
      if (tracker.abortRequested()) {
        break;
      }
      if (i < batches.size() - 1) {
        tracker.setPhase(Phase.WAITING);
        DeploymentTracker.Wake wake =
            tracker.waitFor(
                request.rolling().pauseBetweenBatches(),
                "pause after batch " + (i + 1) + "/" + batches.size());
        if (wake == DeploymentTracker.Wake.ABORTED) {
          break;
        }
      }
    }
    return null;
  }

  /**
   * A fleet larger than one run should hold: consecutive batches go to target groups (child
   * workflows, which wait the pauses between their own batches); this run waits the pauses between
   * two groups. A batch with failures ends the rollout here, as above.
   *
   * @return the deployment's end after a batch with failures; null to carry on
   */
  private DeploymentResult rollInGroups(int count) {
    Duration pause = request.rolling().pauseBetweenBatches();
    List<Target> fleet = request.service().fleet();
    List<List<Slice>> stages =
        TargetGroups.stages(fleet, request.rolling().effectiveBatchSize(fleet.size()));
    for (int s = 0; s < stages.size(); s++) {
      Slice head = stages.get(s).get(0);
      int last = head.firstBatch() + head.batchCount() - 1;
      if (!tracker.awaitUnpaused("batch " + head.firstBatch() + "/" + count)) {
        break;
      }
      tracker.handOver(head.firstBatch());
      List<Target> failed = groups.upgrade(stages.get(s), count, pause);
      tracker.reachedBatch(last);
      if (!failed.isEmpty()) {
        return failBatch(failed);
      }
      if (tracker.abortRequested()) {
        break;
      }
      if (s < stages.size() - 1) {
        tracker.setPhase(Phase.WAITING);
        if (tracker.waitFor(pause, "pause after batch " + last + "/" + count)
            == DeploymentTracker.Wake.ABORTED) {
          break;
        }
      }
    }
    return null;
  }

  /**
   * A batch had failures: restore the failed targets, and the upgraded ones too when the deployment
   * rolls back on failure or an abort arrived meanwhile.
   */
  private DeploymentResult failBatch(List<Target> failed) {
    tracker.setPhase(Phase.ROLLING_BACK);
    String reason = tracker.failureSummary(failed);
    List<Target> unrestored = new ArrayList<>(ops.restoreAll(failed));
    boolean aborted = tracker.abortRequested();
    if (aborted || Boolean.TRUE.equals(request.rolling().rollbackOnFailure())) {
      unrestored.addAll(ops.restoreAll(ops.upgradedTargets()));
      return aborted
          ? tracker.finish(
              DeploymentState.ABORTED, tracker.abortReason() + "; " + reason, unrestored)
          : tracker.finish(DeploymentState.ROLLED_BACK, reason, unrestored);
    }
    return tracker.finish(DeploymentState.FAILED, reason, unrestored);
  }
}
