package dev.sluice.workflows.canary;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.ControlResponse;
import dev.sluice.workflows.SluiceSearchAttributes;
import dev.sluice.workflows.common.ChangeIds;
import dev.sluice.workflows.common.ControlledWorkflow;
import dev.sluice.workflows.common.DeploymentSteps;
import dev.sluice.workflows.common.DeploymentTracker.Wake;
import dev.sluice.workflows.rolling.RollingDeploymentWorkflow;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Canary, top-down: deploy the new version to the canary targets while they take no traffic; walk
 * the plan (set a weight, pause, analyse); promote by rolling the stable servers to the new version
 * in a child rolling workflow; or, on a failed analysis or an abort, take the canary's traffic away
 * first (so users are safe at once) and then put the canaries back on the stable version.
 */
public class CanaryDeploymentWorkflowImpl extends ControlledWorkflow
    implements CanaryDeploymentWorkflow {

  private final List<Target> canary;
  private final List<Target> stable;

  /** The stable servers' promotion, while it runs: controls are passed on to it. */
  private RollingDeploymentWorkflow promotion;

  @WorkflowInit
  public CanaryDeploymentWorkflowImpl(DeploymentRequest request) {
    super(request);
    List<Target> fleet = request.service().fleet();
    int count = request.canary().effectiveCanaryCount(fleet.size());
    this.canary = List.copyOf(fleet.subList(0, count));
    this.stable = List.copyOf(fleet.subList(count, fleet.size()));
  }

  @Override
  public DeploymentResult run(DeploymentRequest ignored) {
    tracker.start();
    return withRetries(() -> attempt(this::canary, this::rollBack));
  }

  private DeploymentResult canary() {
    List<CanaryStep> plan = request.canary().steps();
    tracker.setBatches(plan.size());
    ops.learnPreviousVersions();

    tracker.setPhase(Phase.DEPLOYING);
    tracker.event("canary.targets", null, "canary: " + ids(canary) + "; stable: " + ids(stable));
    // The canaries take no traffic while they are replaced.
    steps.split(canary, stable, 0);
    tracker.trafficWeight(0);
    tracker.note("canary 0%");
    List<Target> failed = ops.upgradeBatch(canary);
    if (!failed.isEmpty()) {
      return rollBack(DeploymentState.FAILED, tracker.failureSummary(failed));
    }

    int weight = 0;
    for (int i = 0; i < plan.size(); i++) {
      CanaryStep step = plan.get(i);
      if (!tracker.awaitUnpaused("step " + (i + 1) + "/" + plan.size())) {
        return rollBack(DeploymentState.ABORTED, tracker.abortReason());
      }
      if (tracker.promotedFully()) {
        tracker.event("canary.promoted", null, "full promote: remaining steps skipped");
        break;
      }
      String what = "step " + (i + 1) + "/" + plan.size() + " (" + step.describe() + ")";
      if (step.setWeight() != null) {
        tracker.enterStep(i + 1, step.describe(), Phase.SHIFTING);
        // The phase change waited for the ledger: an abort may have come in meanwhile.
        if (tracker.abortRequested()) {
          return rollBack(DeploymentState.ABORTED, tracker.abortReason());
        }
        steps.split(canary, stable, step.setWeight());
        tracker.trafficWeight(step.setWeight());
        weight = step.setWeight();
        tracker.note("canary " + weight + "%");
        tracker.event("canary.weight", null, "canary takes " + step.setWeight() + "% of traffic");
      } else if (step.pause() != null) {
        tracker.enterStep(i + 1, step.describe(), Phase.WAITING);
        tracker.note(
            "canary "
                + weight
                + "% · "
                + (step.pause().duration() == null
                    ? "waiting for promote"
                    : "paused until "
                        + Instant.ofEpochMilli(
                            Workflow.currentTimeMillis() + step.pause().duration().toMillis())));
        if (tracker.waitFor(step.pause().duration(), what) == Wake.ABORTED) {
          return rollBack(DeploymentState.ABORTED, tracker.abortReason());
        }
      } else {
        tracker.enterStep(i + 1, step.describe(), Phase.ANALYSING);
        tracker.note(
            "canary "
                + weight
                + "% · analysis until "
                + Instant.ofEpochMilli(
                    Workflow.currentTimeMillis()
                        + step.analysis().withDefaults().duration().toMillis()));
        AnalysisOutcome outcome = analyse(step.analysis().withDefaults(), what);
        if (outcome.wake() == Wake.ABORTED) {
          return rollBack(DeploymentState.ABORTED, tracker.abortReason());
        }
        if (outcome.result() != null) {
          AnalysisResult result = outcome.result();
          if (result.verdict() == Verdict.FAIL) {
            return rollBack(
                DeploymentState.ROLLED_BACK, "analysis failed at " + what + ": " + result.reason());
          }
          if (result.verdict() == Verdict.INCONCLUSIVE) {
            // Never promote on missing data: a person decides, then the step runs again.
            tracker.pauseFor("analysis inconclusive at " + what + ": " + result.reason());
            i--;
          }
        }
      }
    }
    return promote();
  }

  /** How an analysis step ended: woken by a control, or with the analysis' verdict. */
  private record AnalysisOutcome(Wake wake, AnalysisResult result) {}

  private AnalysisOutcome analyse(AnalysisSpec spec, String what) {
    String stableVersion = stable.isEmpty() ? null : tracker.previousVersion(stable.get(0));
    Watched watched = watch(() -> steps.watch(canary, stable, stableVersion, spec), what);
    if (watched.result() == null) {
      tracker.event(
          "canary.analysis-skipped",
          null,
          watched.wake() == Wake.PROMOTED ? "promoted: analysis ended early" : "analysis stopped");
      return new AnalysisOutcome(watched.wake(), null);
    }
    AnalysisResult result = watched.result();
    tracker.event(
        "canary.analysis",
        null,
        result.verdict()
            + " after "
            + result.checks()
            + " checks ("
            + result.inconclusive()
            + " without enough data): "
            + result.reason());
    return new AnalysisOutcome(Wake.TIMER, result);
  }

  /**
   * Promotion: every server back to equal weights, then the stable servers rolled to the new
   * version by a child rolling workflow (visible on its own in the Temporal UI).
   */
  private DeploymentResult promote() {
    // A pause asked for during the last step is honoured before the stable servers move.
    if (!tracker.awaitUnpaused("the promotion")) {
      return rollBack(DeploymentState.ABORTED, tracker.abortReason());
    }
    String childId = request.deploymentId() + "-stable";
    if (!stable.isEmpty()) {
      // Before the phase change, which records it: the ledger learns where the rollout went.
      tracker.event(
          "canary.promoting",
          null,
          "rolling " + ids(stable) + " to " + request.version() + " in " + childId);
    }
    tracker.setPhase(Phase.PROMOTING);
    List<Target> all = new ArrayList<>(canary);
    all.addAll(stable);
    if (tracker.abortRequested()) {
      return rollBack(DeploymentState.ABORTED, tracker.abortReason());
    }
    steps.split(all, List.of(), 100);
    tracker.trafficWeight(100);
    tracker.note("canary promoted");
    if (stable.isEmpty()) {
      return tracker.finish(DeploymentState.SUCCEEDED, null, List.of());
    }
    ServiceDefinition service = request.service();
    DeploymentRequest childRequest =
        DeploymentRequest.builder()
            .deploymentId(childId)
            .service(
                new ServiceDefinition(
                        service.name(),
                        stable,
                        service.trafficRouter(),
                        service.deployer(),
                        service.healthCheck(),
                        Strategy.ROLLING.id(),
                        service.rolling(),
                        null,
                        null)
                    // The service's metrics and provider: the promoted servers are monitored on
                    // them.
                    .withAnalysis(service.analysis(), service.autoRollback()))
            .version(request.version())
            .strategy(Strategy.ROLLING.id())
            // A stable server that fails takes the others back with it: the parent then puts
            // the canary back too, and the whole fleet is where it started.
            .rolling(new RollingOptions(null, null, null, null, true).orElse(request.rolling()))
            .requestedBy(request.requestedBy())
            .searchAttributes(request.searchAttributes())
            .parentDeploymentId(request.deploymentId())
            // The promoted servers are watched after the rollout: a breach rolls them back and
            // this canary then takes its canaries back too.
            .autoRollback(request.autoRollback())
            // Its steps reach this deployment's ledger row as they happen.
            .parentEventBase(tracker.childEventBase())
            .build();
    ChildWorkflowOptions.Builder options =
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(childId)
            .setStaticSummary(
                "promote " + service.name() + " " + request.version() + " to the stable servers")
            .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL);
    if (request.searchAttributes()) {
      options.setTypedSearchAttributes(
          SearchAttributes.newBuilder()
              .set(SluiceSearchAttributes.SERVICE, service.name())
              .set(SluiceSearchAttributes.VERSION, request.version())
              .set(SluiceSearchAttributes.STRATEGY, Strategy.ROLLING.id())
              .set(SluiceSearchAttributes.PHASE, Phase.PREPARING.name())
              .set(SluiceSearchAttributes.STATE, DeploymentState.RUNNING.name())
              .build());
    }
    RollingDeploymentWorkflow child =
        Workflow.newChildWorkflowStub(RollingDeploymentWorkflow.class, options.build());
    Promise<DeploymentResult> running = Async.function(child::run, childRequest);
    Workflow.getWorkflowExecution(child).get();
    promotion = child;
    // Controls accepted while the child was being started reach it now.
    if (tracker.abortRequested()) {
      forward(c -> c.abortSignal(new ControlRequest(null, tracker.abortReason())));
    } else if (tracker.pauseRequested()) {
      forward(c -> c.pauseSignal(new ControlRequest(null, "paused before the promotion")));
    }
    DeploymentResult rolled;
    try {
      rolled = running.get();
    } finally {
      promotion = null;
    }
    tracker.adopt(rolled.targets());
    if (rolled.state() == DeploymentState.SUCCEEDED) {
      return tracker.finish(DeploymentState.SUCCEEDED, null, List.of());
    }
    return rollBack(
        tracker.abortRequested() ? DeploymentState.ABORTED : DeploymentState.ROLLED_BACK,
        "promotion of the stable servers ended " + rolled.state() + ": " + rolled.reason());
  }

  /**
   * Traffic first: the canaries get none at once; then they go back to the stable version, and
   * every server back to equal weights.
   */
  private DeploymentResult rollBack(DeploymentState outcome, String reason) {
    boolean cut;
    // Users first: the traffic cut no longer waits for the ledger's record of the phase change.
    if (Workflow.getVersion(ChangeIds.CUT_TRAFFIC_FIRST, Workflow.DEFAULT_VERSION, 1) == 1) {
      cut = cutTraffic();
      tracker.setPhase(Phase.ROLLING_BACK);
    } else {
      tracker.setPhase(Phase.ROLLING_BACK);
      cut = cutTraffic();
    }
    List<Target> unrestored = ops.restoreAll(ops.touchedTargets());
    List<Target> all = new ArrayList<>(canary);
    all.addAll(stable);
    try {
      steps.split(all, List.of(), 100);
      tracker.note(null);
    } catch (ActivityFailure e) {
      tracker.event(
          "canary.weights-not-restored",
          null,
          "equal weights not restored: " + DeploymentSteps.reason(e));
    }
    if (!cut) {
      outcome = DeploymentState.FAILED;
      reason = "the canary's traffic could not be cut, needs an operator; " + reason;
    }
    return tracker.finish(outcome, reason, unrestored);
  }

  /** Takes the canary's traffic away; false (with an event) when the router would not. */
  private boolean cutTraffic() {
    try {
      steps.cutCanary(canary, stable);
      tracker.trafficWeight(0);
      tracker.note("canary 0%");
      tracker.event("canary.cut-off", null, "canary takes no traffic");
      return true;
    } catch (ActivityFailure e) {
      tracker.event(
          "canary.cut-failed",
          null,
          "could not cut the canary's traffic: " + DeploymentSteps.reason(e));
      return false;
    }
  }

  private static String ids(List<Target> targets) {
    return String.join(", ", targets.stream().map(Target::id).toList());
  }

  // --- controls reach the stable servers' promotion while it runs ---------------------------

  @Override
  public ControlResponse abort(ControlRequest control) {
    ControlResponse response = super.abort(control);
    forward(c -> c.abortSignal(control));
    return response;
  }

  @Override
  public ControlResponse pause(ControlRequest control) {
    ControlResponse response = super.pause(control);
    forward(c -> c.pauseSignal(control));
    return response;
  }

  @Override
  public ControlResponse resume(ControlRequest control) {
    ControlResponse response = super.resume(control);
    forward(c -> c.resumeSignal(control));
    return response;
  }

  @Override
  public ControlResponse promote(ControlRequest control) {
    ControlResponse response = super.promote(control);
    forward(c -> c.promoteSignal(control));
    return response;
  }

  @Override
  public void validatePromote(ControlRequest control) {
    if (promotion == null) {
      super.validatePromote(control);
    }
    // While the stable servers' promotion runs, promote is passed on; the child applies it
    // when one of its pauses between batches allows.
  }

  /**
   * Passes a control on to the running promotion, if any, without waiting: a child that has just
   * closed must not fail this workflow's handler.
   */
  private void forward(Consumer<RollingDeploymentWorkflow> signal) {
    RollingDeploymentWorkflow child = promotion;
    if (child != null) {
      Async.procedure(() -> signal.accept(child))
          .exceptionally(
              failure -> {
                tracker.event(
                    "canary.forward-failed",
                    null,
                    "control not passed on: " + failure.getMessage());
                return null;
              });
    }
  }
}
