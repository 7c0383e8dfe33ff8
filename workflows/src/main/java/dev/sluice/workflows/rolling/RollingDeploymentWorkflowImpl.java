package dev.sluice.workflows.rolling;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.CanaryStep;
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
    List<Target> fleet = request.service().fleet();
    DeploymentResult failed;
    if (request.rolling().rollsByZone()) {
      List<RollingPlan.Zone> zones = RollingPlan.zones(fleet, request.rolling());
      int count = zones.stream().mapToInt(zone -> zone.batches().size()).sum();
      tracker.setBatches(count);
      ops.learnPreviousVersions();
      failed = rollByZone(zones, count);
    } else {
      List<List<Target>> batches = RollingPlan.batches(fleet, request.rolling());
      tracker.setBatches(batches.size());
      ops.learnPreviousVersions();
      failed =
          groups.use(fleet.size())
              ? rollInGroups(
                  fleet, request.rolling().effectiveBatchSize(fleet.size()), 0, batches.size())
              : rollHere(batches, 0, batches.size());
    }
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
   * Zone after zone, each rolled as a fleet of its own, with a bake between zones: watched by the
   * auto-rollback ceilings when the deployment has them, so a bad version is rolled back before it
   * reaches a second zone.
   *
   * @return the deployment's end after a batch with failures or a failed bake; null to carry on
   */
  private DeploymentResult rollByZone(List<RollingPlan.Zone> zones, int count) {
    int done = 0;
    for (int z = 0; z < zones.size(); z++) {
      RollingPlan.Zone zone = zones.get(z);
      int batches = zone.batches().size();
      tracker.event(
          "rolling.zone",
          null,
          "zone "
              + zone.name()
              + " ("
              + (z + 1)
              + "/"
              + zones.size()
              + "): "
              + zone.targets().size()
              + " targets in "
              + batches
              + (batches == 1 ? " batch" : " batches")
              + " of up to "
              + zone.batchSize());
      DeploymentResult failed =
          groups.use(zone.targets().size())
              ? rollInGroups(zone.targets(), zone.batchSize(), done, count)
              : rollHere(zone.batches(), done, count);
      if (failed != null) {
        return failed;
      }
      done += batches;
      if (tracker.abortRequested() || done == count) {
        return null;
      }
      AnalysisResult breach = bake(zone, zones.get(z + 1));
      if (breach != null) {
        tracker.setPhase(Phase.ROLLING_BACK);
        List<Target> unrestored = ops.restoreAll(ops.upgradedTargets());
        return tracker.finish(
            DeploymentState.ROLLED_BACK,
            "auto-rollback in the bake after zone " + zone.name() + ": " + breach.reason(),
            unrestored);
      }
      if (tracker.abortRequested()) {
        return null;
      }
    }
    return null;
  }

  /**
   * The bake after {@code zone}: post-deploy monitoring of every upgraded target for {@code
   * zoneBake} when the deployment has auto-rollback, a plain wait otherwise.
   *
   * @return the failed monitoring's result; null to go on to {@code next} (or after an abort)
   */
  private AnalysisResult bake(RollingPlan.Zone zone, RollingPlan.Zone next) {
    Duration bake = request.rolling().zoneBake();
    String what = "bake after zone " + zone.name() + ", before " + next.name();
    if (bake == null || bake.isZero() || bake.isNegative()) {
      return null;
    }
    if (monitorsAfterDeploy()) {
      Watched watched = monitorAfterDeploy(ops.upgradedTargets(), bake);
      AnalysisResult verdict = watched.result();
      if (verdict != null && verdict.verdict() == Verdict.FAIL && !tracker.abortRequested()) {
        return verdict;
      }
      tracker.event("rolling.zone-baked", null, what + ": monitored");
      return null;
    }
    tracker.setPhase(Phase.WAITING);
    if (tracker.waitFor(bake, what) != DeploymentTracker.Wake.ABORTED) {
      tracker.event("rolling.zone-baked", null, what + ": waited " + CanaryStep.text(bake));
    }
    return null;
  }

  /**
   * Batch after batch in this run, with the pause between them.
   *
   * @param offset batches of the deployment before these
   * @param count the deployment's batches
   * @return the deployment's end after a batch with failures; null to carry on
   */
  private DeploymentResult rollHere(List<List<Target>> batches, int offset, int count) {
    for (int i = 0; i < batches.size(); i++) {
      if (!tracker.awaitUnpaused("batch " + (offset + i + 1) + "/" + count)) {
        break;
      }
      tracker.enterBatch(offset + i + 1);
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
                "pause after batch " + (offset + i + 1) + "/" + count);
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
  private DeploymentResult rollInGroups(
      List<Target> targets, int batchSize, int offset, int count) {
    Duration pause = request.rolling().pauseBetweenBatches();
    List<List<Slice>> stages = new ArrayList<>();
    for (List<Slice> stage : TargetGroups.stages(targets, batchSize)) {
      stages.add(
          stage.stream()
              .map(
                  s ->
                      new Slice(
                          s.targets(), s.batchSize(), offset + s.firstBatch(), s.batchCount()))
              .toList());
    }
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
