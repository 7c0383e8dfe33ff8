package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.ports.HealthChecker.HealthResult;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import dev.sluice.workflows.activities.DeployActivities.DescribeCall;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upgrading and restoring targets, as every strategy does it: drain, deploy, wait healthy, enable;
 * and back to the previous version when that fails or is undone. Compensation is data, not
 * closures: a target's state in the tracker says whether it needs restoring.
 */
public final class TargetOps {

  private final DeploymentRequest request;
  private final DeploymentTracker tracker;
  private final DeploymentSteps steps;
  private final TargetGroups groups;
  private final boolean lean;

  public TargetOps(DeploymentRequest request, DeploymentTracker tracker, DeploymentSteps steps) {
    this(request, tracker, steps, new TargetGroups(request, tracker), false);
  }

  /**
   * @param groups where work on more targets than one run should hold goes
   * @param lean whether a target's steps reach the ledger once it has ended rather than at each
   *     step (a target group's: one ledger call per target, not five; a batch's start is one)
   */
  TargetOps(
      DeploymentRequest request,
      DeploymentTracker tracker,
      DeploymentSteps steps,
      TargetGroups groups,
      boolean lean) {
    this.request = request;
    this.tracker = tracker;
    this.steps = steps;
    this.groups = groups;
    this.lean = lean;
  }

  /**
   * Asks the deployer what each target runs now, so a failed target can go back to it: at the start
   * of every attempt.
   */
  public void learnPreviousVersions() {
    if (Workflow.getVersion(ChangeIds.LEARN_PREVIOUS_ONCE, Workflow.DEFAULT_VERSION, 2) == 1
        && tracker.attempt() > 1) {
      return; // attempts of deployments started before version 2 keep the first answer
    }
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
  public List<Target> upgradeBatch(List<Target> batch) {
    if (groups.use(batch.size())) {
      return groups.upgradeBatch(batch);
    }
    if (lean) {
      // One ledger call for the batch's start, and one as each target ends.
      for (Target target : batch) {
        tracker.targetQuietly(target, TargetState.DRAINING, null, null);
      }
      tracker.flush();
    }
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
  public boolean upgrade(Target target) {
    String version = request.version();
    try {
      if (!lean) {
        tracker.target(target, TargetState.DRAINING, null, null);
      }
      DrainResult drain = steps.drain(target);
      tracker.event("target.drained", target, target.id() + " " + steps.describeDrain(drain));

      step(target, TargetState.DEPLOYING, null);
      tracker.deployAttempted(target);
      DeployResult deployed = steps.deploy(target, version, "upgrade");
      if (!deployed.ok()) {
        return tracker.targetFailed(
            target, "deploy of " + version + " failed: " + deployed.detail());
      }
      step(target, TargetState.VERIFYING, version);
      HealthResult health = steps.waitHealthy(target);
      if (!health.healthy()) {
        return tracker.targetFailed(
            target,
            "health check failed after " + health.probes() + " probes: " + health.lastError());
      }
      step(target, TargetState.ENABLING, version);
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

  /** A step within a target's upgrade: recorded at once, or (lean) with the target's end. */
  private void step(Target target, TargetState state, String version) {
    if (lean) {
      tracker.targetQuietly(target, state, version, null);
    } else {
      tracker.target(target, state, version, null);
    }
  }

  /**
   * Restores targets in reverse order of upgrade, in batches no larger than the rollout's.
   *
   * @return the targets that could not be restored
   */
  public List<Target> restoreAll(List<Target> targets) {
    List<Target> order = new ArrayList<>(targets);
    Collections.reverse(order);
    int size = request.rolling().effectiveBatchSize(request.service().fleet().size());
    if (groups.use(order.size())) {
      return groups.restore(order, size);
    }
    return restoreInOrder(order, size);
  }

  /**
   * Restores targets in the order given, in batches of {@code size}.
   *
   * @return the targets that could not be restored
   */
  public List<Target> restoreInOrder(List<Target> order, int size) {
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
  public boolean restore(Target target) {
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
      if (lean) {
        tracker.targetQuietly(target, TargetState.ROLLING_BACK, null, "restoring " + previous);
      } else {
        tracker.target(target, TargetState.ROLLING_BACK, null, "restoring " + previous);
      }
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
  public boolean putBack(Target target) {
    try {
      if (lean) {
        tracker.targetQuietly(
            target, TargetState.ROLLING_BACK, null, "nothing deployed: putting it back");
      } else {
        tracker.target(target, TargetState.ROLLING_BACK, null, "nothing deployed: putting it back");
      }
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

  public List<Target> upgradedTargets() {
    return tracker.targetsIn(request.service().fleet(), TargetState.UPGRADED);
  }

  /** Targets this deployment changed or was changing: what a cancellation must put back. */
  public List<Target> touchedTargets() {
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
