package dev.sluice.workflows.rolling;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.ports.HealthChecker.HealthResult;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import dev.sluice.workflows.activities.DeployActivities.DescribeCall;
import dev.sluice.workflows.common.ControlledWorkflow;
import dev.sluice.workflows.common.DeploymentSteps;
import dev.sluice.workflows.common.DeploymentTracker;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rolling deployment, top-down as the seed describes it: for each batch, every target in it is
 * drained, deployed, health-checked and enabled (targets of one batch in parallel), with a pause
 * between batches. A target that fails is restored to its previous version and the deployment
 * stops; with {@code rollbackOnFailure} the targets already upgraded are restored too.
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
    return withRetries(this::attempt);
  }

  private DeploymentResult attempt() {
    try {
      return roll();
    } catch (TemporalFailure e) {
      boolean cancelled = CancellationScope.current().isCancelRequested();
      // Cancelling from the Temporal UI means abort with rollback; any other failure that got
      // this far (a step that failed for good outside a target, e.g. the fleet lookup) fails the
      // deployment after putting back what it touched. The workflow's own scope may be
      // cancelled, so the compensation runs in a detached scope or it would be cancelled too.
      DeploymentResult[] result = new DeploymentResult[1];
      Workflow.newDetachedCancellationScope(
              () -> {
                tracker.setPhase(Phase.ROLLING_BACK);
                List<Target> unrestored = restoreAll(touchedTargets());
                result[0] =
                    cancelled
                        ? tracker.finish(
                            DeploymentState.ABORTED, "cancelled from Temporal", unrestored)
                        : tracker.finish(
                            DeploymentState.FAILED, DeploymentSteps.reason(e), unrestored);
              })
          .run();
      if (cancelled) {
        throw e instanceof CanceledFailure ? e : new CanceledFailure("cancelled from Temporal");
      }
      return result[0];
    }
  }

  private DeploymentResult roll() {
    List<List<Target>> batches = RollingPlan.batches(request.service().fleet(), request.rolling());
    tracker.setBatches(batches.size());
    learnPreviousVersions();

    for (int i = 0; i < batches.size(); i++) {
      if (!tracker.awaitUnpaused("batch " + (i + 1) + "/" + batches.size())) {
        break;
      }
      tracker.enterBatch(i + 1);
      List<Target> failed = upgradeBatch(batches.get(i));
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
    if (tracker.abortRequested()) {
      tracker.setPhase(Phase.ROLLING_BACK);
      List<Target> unrestored = restoreAll(upgradedTargets());
      return tracker.finish(DeploymentState.ABORTED, tracker.abortReason(), unrestored);
    }
    return tracker.finish(DeploymentState.SUCCEEDED, null, List.of());
  }

  /** Asks the deployer what each target runs, so a failed target can go back to it. */
  private void learnPreviousVersions() {
    List<TargetRuntime> runtimes =
        steps
            .deploy()
            .describe(new DescribeCall(request.service().deployer(), request.service().fleet()));
    Map<String, String> versions = new HashMap<>();
    for (TargetRuntime runtime : runtimes) {
      if (runtime.version() != null) {
        versions.put(runtime.targetId(), runtime.version());
      }
    }
    tracker.setPreviousVersions(versions);
  }

  /**
   * Upgrades the batch's targets in parallel; returns those that failed. Waits for every target to
   * settle before rethrowing a failure (a cancellation), so no compensation starts while a
   * sibling's step is still running.
   */
  private List<Target> upgradeBatch(List<Target> batch) {
    List<Promise<Boolean>> results = new ArrayList<>();
    for (Target target : batch) {
      results.add(Async.function(this::upgrade, target));
    }
    List<Target> failed = new ArrayList<>();
    RuntimeException first = null;
    for (int i = 0; i < batch.size(); i++) {
      try {
        if (!results.get(i).get()) {
          failed.add(batch.get(i));
        }
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
    return failed;
  }

  /** Drain, deploy, wait healthy, enable. Returns false when the target failed. */
  private boolean upgrade(Target target) {
    String version = request.version();
    try {
      tracker.target(target, TargetState.DRAINING, null, null);
      DrainResult drain = steps.drain(target);
      tracker.event("target.drained", target, target.id() + " " + steps.describeDrain(drain));

      tracker.target(target, TargetState.DEPLOYING, null, null);
      tracker.deployAttempted(target);
      DeployResult deployed = steps.deploy(target, version, "upgrade");
      if (!deployed.ok()) {
        return tracker.targetFailed(
            target, "deploy of " + version + " failed: " + deployed.detail());
      }
      tracker.target(target, TargetState.VERIFYING, version, null);
      HealthResult health = steps.waitHealthy(target);
      if (!health.healthy()) {
        return tracker.targetFailed(
            target,
            "health check failed after " + health.probes() + " probes: " + health.lastError());
      }
      tracker.target(target, TargetState.ENABLING, version, null);
      EnableResult enabled = steps.enable(target);
      if (!enabled.up()) {
        return tracker.targetFailed(
            target, "router reports " + enabled.status() + " after enabling it");
      }
      tracker.target(target, TargetState.UPGRADED, version, null);
      return true;
    } catch (ActivityFailure e) {
      if (CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      return tracker.targetFailed(target, DeploymentSteps.reason(e));
    }
  }

  /**
   * A batch had failures: restore the failed targets, and the upgraded ones too when the deployment
   * rolls back on failure or an abort arrived meanwhile.
   */
  private DeploymentResult failBatch(List<Target> failed) {
    tracker.setPhase(Phase.ROLLING_BACK);
    String reason = tracker.failureSummary(failed);
    List<Target> unrestored = new ArrayList<>(restoreAll(failed));
    boolean aborted = tracker.abortRequested();
    if (aborted || Boolean.TRUE.equals(request.rolling().rollbackOnFailure())) {
      unrestored.addAll(restoreAll(upgradedTargets()));
      return aborted
          ? tracker.finish(
              DeploymentState.ABORTED, tracker.abortReason() + "; " + reason, unrestored)
          : tracker.finish(DeploymentState.ROLLED_BACK, reason, unrestored);
    }
    return tracker.finish(DeploymentState.FAILED, reason, unrestored);
  }

  /**
   * Restores targets in reverse order of upgrade, in batches no larger than the rollout's.
   *
   * @return the targets that could not be restored
   */
  private List<Target> restoreAll(List<Target> targets) {
    List<Target> order = new ArrayList<>(targets);
    Collections.reverse(order);
    int size = request.rolling().effectiveBatchSize(request.service().fleet().size());
    List<Target> unrestored = new ArrayList<>();
    for (int i = 0; i < order.size(); i += size) {
      List<Target> slice = order.subList(i, Math.min(order.size(), i + size));
      List<Promise<Boolean>> restores = new ArrayList<>();
      for (Target target : slice) {
        restores.add(Async.function(this::restore, target));
      }
      for (int j = 0; j < slice.size(); j++) {
        if (!restores.get(j).get()) {
          unrestored.add(slice.get(j));
        }
      }
    }
    return unrestored;
  }

  /** Back to the previous version and into rotation. Returns false when that failed too. */
  private boolean restore(Target target) {
    if (!tracker.wasDeployAttempted(target)) {
      return putBack(target);
    }
    String previous = tracker.previousVersion(target);
    if (previous == null) {
      boolean serving = tracker.targetState(target) == TargetState.UPGRADED;
      tracker.target(
          target,
          TargetState.FAILED,
          null,
          serving
              ? "no previous version known: left serving what was deployed, needs an operator"
              : "no previous version known: out of rotation, needs an operator");
      return false;
    }
    try {
      tracker.target(target, TargetState.ROLLING_BACK, null, "restoring " + previous);
      steps.drain(target);
      DeployResult deployed = steps.deploy(target, previous, "rollback");
      if (!deployed.ok()) {
        return tracker.rollbackFailed(
            target, "redeploy of " + previous + " failed: " + deployed.detail());
      }
      HealthResult health = steps.waitHealthy(target);
      if (!health.healthy()) {
        return tracker.rollbackFailed(target, previous + " unhealthy: " + health.lastError());
      }
      EnableResult enabled = steps.enable(target);
      if (!enabled.up()) {
        return tracker.rollbackFailed(target, "router reports " + enabled.status());
      }
      tracker.target(target, TargetState.ROLLED_BACK, previous, "restored " + previous);
      return true;
    } catch (ActivityFailure e) {
      return tracker.rollbackFailed(target, DeploymentSteps.reason(e));
    }
  }

  /** A target that failed before anything was deployed to it only needs to take traffic again. */
  private boolean putBack(Target target) {
    try {
      tracker.target(target, TargetState.ROLLING_BACK, null, "nothing deployed: putting it back");
      EnableResult enabled = steps.enable(target);
      if (!enabled.up()) {
        return tracker.rollbackFailed(target, "router reports " + enabled.status());
      }
      tracker.target(
          target, TargetState.ROLLED_BACK, null, "nothing was deployed; back in rotation");
      return true;
    } catch (ActivityFailure e) {
      return tracker.rollbackFailed(target, DeploymentSteps.reason(e));
    }
  }

  private List<Target> upgradedTargets() {
    return tracker.targetsIn(request.service().fleet(), TargetState.UPGRADED);
  }

  /** Targets this deployment changed or was changing: what a cancellation must put back. */
  private List<Target> touchedTargets() {
    List<Target> touched = new ArrayList<>();
    for (Target target : request.service().fleet()) {
      TargetState state = tracker.targetState(target);
      if (state == TargetState.UPGRADED || state == TargetState.FAILED || state.inFlight()) {
        touched.add(target);
      }
    }
    return touched;
  }
}
