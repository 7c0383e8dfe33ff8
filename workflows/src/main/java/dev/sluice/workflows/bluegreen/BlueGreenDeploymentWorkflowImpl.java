package dev.sluice.workflows.bluegreen;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.SmokeCheck;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.Verdict;
import dev.sluice.ports.HealthChecker.HealthResult;
import dev.sluice.workflows.DeploymentWorkflow;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.common.ChangeIds;
import dev.sluice.workflows.common.ControlledWorkflow;
import dev.sluice.workflows.common.DeploymentSteps;
import dev.sluice.workflows.common.DeploymentTracker.Wake;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Blue-green, top-down: find the live pool at the router; deploy the new version to the idle pool
 * and smoke-test it there; wait for approval when asked to; switch all traffic in one router
 * operation; watch the new pool warm up and switch back if it misbehaves; keep the old pool for the
 * rollback window (an abort or rollback in it switches back at once); then, optionally, stop the
 * old pool.
 */
public class BlueGreenDeploymentWorkflowImpl extends ControlledWorkflow
    implements BlueGreenDeploymentWorkflow {

  private final BlueGreenOptions options;
  private final Map<String, List<Target>> pools = new LinkedHashMap<>();
  private String live;
  private String idle;
  private boolean switched;

  @WorkflowInit
  public BlueGreenDeploymentWorkflowImpl(DeploymentRequest request) {
    super(request);
    this.options = request.blueGreen();
    for (Target target : request.service().fleet()) {
      pools.computeIfAbsent(target.pool(), p -> new ArrayList<>()).add(target);
    }
  }

  @Override
  public DeploymentResult run(DeploymentRequest ignored) {
    tracker.start();
    return withRetries(
        () -> {
          switched = false;
          return attempt(this::blueGreen, this::undo);
        });
  }

  private DeploymentResult blueGreen() {
    if (pools.size() != 2 || pools.containsKey(null)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "blue-green needs every target in one of exactly two pools, found " + pools.keySet(),
          FailureTypes.CONFIGURATION_ERROR);
    }
    tracker.setBatches(1);
    ops.learnPreviousVersions();
    live = steps.activePool();
    if (live == null || !pools.containsKey(live)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the router's live pool is " + live + ", not one of " + pools.keySet(),
          FailureTypes.CONFIGURATION_ERROR);
    }
    idle = pools.keySet().stream().filter(p -> !p.equals(live)).findFirst().orElseThrow();
    // What the service ran before is what the live pool runs; the idle pool may hold a version
    // that was rejected last time.
    tracker.setServicePreviousVersion(tracker.previousVersion(pools.get(live).get(0)));
    tracker.event("bluegreen.pools", null, live + " is live; deploying to " + idle);
    tracker.note(live + " live");

    // 1. The idle pool gets the new version; users see none of this.
    tracker.enterBatch(1);
    List<Target> failed = ops.upgradeBatch(pools.get(idle));
    if (!failed.isEmpty()) {
      return undo(DeploymentState.FAILED, tracker.failureSummary(failed));
    }
    // 2. Smoke tests against the idle pool directly.
    String smokeFailure = smokeTests(pools.get(idle));
    if (smokeFailure != null) {
      return undo(DeploymentState.FAILED, "smoke test failed: " + smokeFailure);
    }
    // 3. An approval gate, when asked for.
    if (Boolean.TRUE.equals(options.manualApproval())) {
      tracker.setPhase(Phase.WAITING);
      if (!tracker.awaitUnpaused("the switch to " + idle)) {
        return undo(DeploymentState.ABORTED, tracker.abortReason());
      }
      Wake approval = tracker.waitFor(options.autoPromoteAfter(), "approval to switch to " + idle);
      if (approval == Wake.ABORTED) {
        return undo(DeploymentState.ABORTED, tracker.abortReason());
      }
      tracker.event(
          "bluegreen.approved",
          null,
          approval == Wake.PROMOTED ? "switch approved" : "switch auto-approved after the wait");
    }
    if (!tracker.awaitUnpaused("the switch to " + idle) || tracker.abortRequested()) {
      return undo(DeploymentState.ABORTED, tracker.abortReason());
    }
    // 4. The switch: one router operation.
    tracker.setPhase(Phase.SHIFTING);
    if (tracker.abortRequested()) {
      return undo(DeploymentState.ABORTED, tracker.abortReason());
    }
    // Set first: if the switch took effect but its answer was lost, undo must still switch back.
    switched = true;
    steps.switchPool(idle);
    tracker.close(DeploymentWorkflow.PAUSE, "traffic already switched to " + idle);
    tracker.note(idle + " live");
    tracker.event("bluegreen.switched", null, "all traffic now goes to " + idle);
    // 5. Warm-up watch; a misbehaving new pool is switched away from.
    tracker.setPhase(Phase.ANALYSING);
    Watched watched =
        watch(
            () -> steps.warmUp(pools.get(idle), options.warmUp(), options.warmUpAnalysis()),
            "warm-up watch of " + idle);
    if (watched.wake() == Wake.ABORTED) {
      return undo(DeploymentState.ABORTED, tracker.abortReason());
    }
    AnalysisResult warmUp =
        watched.result() != null
            ? watched.result()
            : new AnalysisResult(Verdict.PASS, 0, 0, "promoted: warm-up skipped");
    tracker.event(
        "bluegreen.warm-up",
        null,
        "warm-up "
            + warmUp.verdict()
            + " after "
            + warmUp.checks()
            + " checks: "
            + warmUp.reason());
    if (warmUp.verdict() == Verdict.FAIL) {
      return undo(DeploymentState.ROLLED_BACK, "warm-up failed: " + warmUp.reason());
    }
    if (tracker.abortRequested()) {
      return undo(DeploymentState.ABORTED, tracker.abortReason());
    }
    // 6. The rollback window: the old pool stays ready for an instant switch back. Its first
    // part is the post-deploy monitoring, when asked for: a breach switches back on its own.
    long windowStart = Workflow.currentTimeMillis();
    Watched monitored = monitorAfterDeploy(pools.get(idle));
    if (monitored.wake() == Wake.ABORTED) {
      return undo(DeploymentState.ABORTED, tracker.abortReason());
    }
    if (monitored.result() != null && monitored.result().verdict() == Verdict.FAIL) {
      return undo(DeploymentState.ROLLED_BACK, "auto-rollback: " + monitored.result().reason());
    }
    if (tracker.abortRequested()) {
      return undo(DeploymentState.ABORTED, tracker.abortReason());
    }
    // The window counts from the end of the warm-up, monitoring included (which took no time
    // when there was none); a promote during the monitoring ends the window too.
    Duration windowLeft =
        monitored.wake() == Wake.PROMOTED
            ? Duration.ZERO
            : options.rollbackWindow().minusMillis(Workflow.currentTimeMillis() - windowStart);
    if (windowLeft.isNegative()) {
      windowLeft = Duration.ZERO;
    }
    tracker.setPhase(Phase.WAITING);
    // A monitoring window as long as the rollback window leaves nothing to wait for.
    Wake window =
        windowLeft.isZero()
            ? Wake.TIMER
            : tracker.waitFor(
                windowLeft, "rollback window of " + CanaryStep.text(options.rollbackWindow()));
    if (window == Wake.ABORTED) {
      return undo(DeploymentState.ABORTED, tracker.abortReason());
    }
    tracker.close(DeploymentWorkflow.ABORT, "the rollback window has ended");
    tracker.close(DeploymentWorkflow.PROMOTE, "the rollback window has ended");
    if (Boolean.TRUE.equals(options.stopOldPool())) {
      if (groups.use(pools.get(live).size())) {
        groups.stop(pools.get(live));
      } else {
        for (Target target : pools.get(live)) {
          steps.stop(target);
        }
      }
      tracker.event("bluegreen.old-pool-stopped", null, "stopped " + live);
    }
    tracker.serving(request.version());
    return tracker.finish(DeploymentState.SUCCEEDED, null, List.of());
  }

  /** All traffic back on the old pool; false (with an event) when the router would not. */
  private boolean switchBack() {
    try {
      steps.switchBack(live);
      return true;
    } catch (ActivityFailure e) {
      tracker.event(
          "bluegreen.switch-back-failed",
          null,
          "could not switch back to " + live + ": " + DeploymentSteps.reason(e));
      return false;
    }
  }

  /** Runs every smoke check on every idle target; the first failure, or null. */
  private String smokeTests(List<Target> targets) {
    tracker.setPhase(Phase.DEPLOYING);
    if (groups.use(targets.size())) {
      String failure = groups.smoke(targets, options.smokeChecks());
      if (failure != null) {
        return failure;
      }
      tracker.event(
          "bluegreen.smoke-tested",
          null,
          options.smokeChecks().size() + " smoke checks passed on " + idle);
      return null;
    }
    for (SmokeCheck check : options.smokeChecks()) {
      for (Target target : targets) {
        HealthResult result = steps.smoke(target, check);
        if (!result.healthy()) {
          return "GET " + check.path() + " on " + target.id() + ": " + result.lastError();
        }
      }
    }
    tracker.event(
        "bluegreen.smoke-tested",
        null,
        options.smokeChecks().size() + " smoke checks passed on " + idle);
    return null;
  }

  /**
   * Undoes what this attempt did: after the switch, traffic goes back to the old pool in one router
   * operation (the idle pool keeps the new version, out of traffic, for inspection); before it, the
   * idle pool's targets that failed are restored.
   */
  private DeploymentResult undo(DeploymentState outcome, String reason) {
    List<Target> unrestored = new ArrayList<>();
    // Users first: the switch back no longer waits for the ledger's record of the phase change.
    boolean trafficFirst =
        Workflow.getVersion(ChangeIds.SWITCH_BACK_FIRST, Workflow.DEFAULT_VERSION, 1) == 1;
    boolean back = true;
    if (switched && trafficFirst) {
      back = switchBack();
    }
    tracker.setPhase(Phase.ROLLING_BACK);
    if (switched) {
      if (!trafficFirst) {
        back = switchBack();
      }
      if (!back) {
        return tracker.finish(
            DeploymentState.FAILED,
            "traffic could not be switched back to " + live + ", needs an operator; " + reason,
            unrestored);
      }
      switched = false;
      tracker.note(live + " live");
      tracker.event("bluegreen.switched-back", null, "all traffic back on " + live);
    } else if (idle != null) {
      List<Target> failedIdle = new ArrayList<>();
      for (Target target : pools.get(idle)) {
        if (tracker.targetState(target) != TargetState.UPGRADED
            && tracker.targetState(target) != TargetState.PENDING) {
          failedIdle.add(target);
        }
      }
      unrestored.addAll(ops.restoreAll(failedIdle));
    }
    if (live != null) {
      // Traffic is (back) on the live pool: the service runs what that pool runs.
      tracker.serving(tracker.previousVersion(pools.get(live).get(0)));
    }
    return tracker.finish(outcome, reason, unrestored);
  }
}
