package dev.sluice.workflows.common;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.SmokeCheck;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.HealthChecker.HealthResult;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.AnalysisActivities;
import dev.sluice.workflows.activities.AnalysisActivities.MonitorCall;
import dev.sluice.workflows.activities.AnalysisActivities.WarmUpCall;
import dev.sluice.workflows.activities.AnalysisActivities.WatchCall;
import dev.sluice.workflows.activities.DeployActivities;
import dev.sluice.workflows.activities.DeployActivities.DeployCall;
import dev.sluice.workflows.activities.HealthActivities;
import dev.sluice.workflows.activities.HealthActivities.HealthCall;
import dev.sluice.workflows.activities.TrafficActivities;
import dev.sluice.workflows.activities.TrafficActivities.PoolCall;
import dev.sluice.workflows.activities.TrafficActivities.RouterCall;
import dev.sluice.workflows.activities.TrafficActivities.SplitCall;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The per-target steps every strategy uses (drain, deploy, wait healthy, enable), with the activity
 * options that suit each: heartbeat timeouts short enough that a dead worker's activity is retried
 * elsewhere within seconds, start-to-close long enough for the step's own timeout. Steps that
 * change a target wait for their cancellation to complete, so a rollback after a cancellation never
 * races a deploy that is still running.
 */
public final class DeploymentSteps {

  /** How long a router gets to report an enabled target up (its own checks must pass first). */
  public static final Duration ENABLE_TIMEOUT = Duration.ofSeconds(60);

  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private final DeploymentRequest request;

  public DeploymentSteps(DeploymentRequest request) {
    this.request = request;
  }

  public DrainResult drain(Target target) {
    Duration timeout = request.rolling().drainTimeout();
    return traffic("drain " + target.id(), timeout.plusSeconds(60))
        .drain(new RouterCall(request.service().trafficRouter(), target, timeout));
  }

  public EnableResult enable(Target target) {
    return traffic("enable " + target.id(), ENABLE_TIMEOUT.plusSeconds(30))
        .enable(new RouterCall(request.service().trafficRouter(), target, ENABLE_TIMEOUT));
  }

  /**
   * Deploys {@code version} to the target. The request id is derived from the deployment, the
   * target and the purpose, so a retry after a crash is recognised by the deployer as done.
   */
  public DeployResult deploy(Target target, String version, String purpose) {
    String requestId = request.deploymentId() + "/" + target.id() + "/" + purpose;
    ActivityOptions options =
        ActivityOptions.newBuilder()
            .setSummary(purpose + " " + target.id() + " to " + version)
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            // Deployers heartbeat every second while they wait for the instance.
            .setHeartbeatTimeout(HEARTBEAT)
            .setRetryOptions(retries(3))
            .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
            .build();
    return Workflow.newActivityStub(DeployActivities.class, options)
        .deploy(new DeployCall(request.service().deployer(), target, version, requestId));
  }

  public HealthResult waitHealthy(Target target) {
    HealthCheckSpec spec = request.service().healthCheck();
    ActivityOptions options =
        ActivityOptions.newBuilder()
            .setSummary("wait until " + target.id() + " is healthy")
            .setStartToCloseTimeout(spec.timeout().plusSeconds(30))
            .setHeartbeatTimeout(HEARTBEAT.plus(spec.interval()).plus(spec.requestTimeout()))
            .setRetryOptions(retries(3))
            .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
            .build();
    return Workflow.newActivityStub(HealthActivities.class, options)
        .waitHealthy(new HealthCall(target, spec));
  }

  /**
   * A blue-green smoke test: one probe (no retries of a failing answer) of {@code check} against
   * {@code target} directly, not through the router.
   */
  public HealthResult smoke(Target target, SmokeCheck check) {
    HealthCheckSpec base = request.service().healthCheck();
    HealthCheckSpec spec =
        new HealthCheckSpec(
            base.type(),
            check.path(),
            check.expectedStatus(),
            check.jsonField(),
            check.jsonValue(),
            1,
            base.interval(),
            base.requestTimeout().multipliedBy(3),
            base.requestTimeout());
    return Workflow.newActivityStub(
            HealthActivities.class,
            ActivityOptions.newBuilder()
                .setSummary("smoke test " + check.path() + " on " + target.id())
                .setStartToCloseTimeout(spec.timeout().plusSeconds(30))
                .setRetryOptions(retries(3))
                .build())
        .waitHealthy(new HealthCall(target, spec));
  }

  /** Stops what runs on the target (the old blue-green pool after its rollback window). */
  public void stop(Target target) {
    Workflow.newActivityStub(
            DeployActivities.class,
            ActivityOptions.newBuilder()
                .setSummary("stop " + target.id())
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setRetryOptions(retries(3))
                .build())
        .stop(new DeployActivities.StopCall(request.service().deployer(), target));
  }

  /** Splits traffic: {@code percent}% to {@code canary}, the rest to {@code stable}. */
  public void split(List<Target> canary, List<Target> stable, int percent) {
    traffic("send " + percent + "% of traffic to the canary", Duration.ofMinutes(1))
        .split(new SplitCall(request.service().trafficRouter(), canary, stable, percent));
  }

  /**
   * Takes all traffic off the canary, trying harder than an ordinary step (about three minutes of
   * retries): users are exposed until it works.
   */
  public void cutCanary(List<Target> canary, List<Target> stable) {
    String summary = "cut the canary's traffic";
    urgent(
            summary,
            () ->
                Workflow.newActivityStub(
                    TrafficActivities.class,
                    ActivityOptions.newBuilder()
                        .setSummary(summary)
                        .setStartToCloseTimeout(Duration.ofMinutes(1))
                        .setHeartbeatTimeout(HEARTBEAT)
                        .setRetryOptions(retries(10))
                        .build()))
        .split(new SplitCall(request.service().trafficRouter(), canary, stable, 0));
  }

  /** Moves all traffic to {@code pool} in one router operation. */
  public void switchPool(String pool) {
    traffic("switch all traffic to " + pool, Duration.ofMinutes(1))
        .switchPool(new PoolCall(request.service().trafficRouter(), pool));
  }

  /**
   * Moves all traffic back to {@code pool}, the one that served before, like {@link #cutCanary}:
   * users are on the new pool until it works.
   */
  public void switchBack(String pool) {
    urgent(
            "switch all traffic back to " + pool,
            () -> traffic("switch all traffic to " + pool, Duration.ofMinutes(1)))
        .switchPool(new PoolCall(request.service().trafficRouter(), pool));
  }

  /** The pool taking traffic now, or null when the router has no pools. */
  public String activePool() {
    return traffic("ask the router which pool is live", Duration.ofMinutes(1))
        .activePool(new PoolCall(request.service().trafficRouter(), null));
  }

  /**
   * Starts watching the canary; the promise completes with the analysis' verdict. Run it in a
   * cancellation scope: a promote or an abort cancels the watch.
   */
  public Promise<AnalysisResult> watch(
      List<Target> canary, List<Target> stable, String stableVersion, AnalysisSpec spec) {
    return Async.function(
        analysis("analysis for " + CanaryStep.text(spec.duration()), spec.duration())::watch,
        new WatchCall(
            request.service().trafficRouter(),
            canary,
            stable,
            spec,
            request.service().name(),
            request.version(),
            stableVersion,
            // Canaries started before the sequential judge keep the threshold judge.
            Workflow.getVersion(ChangeIds.SEQUENTIAL_JUDGE, Workflow.DEFAULT_VERSION, 1)
                    == Workflow.DEFAULT_VERSION
                ? null
                : request.service().effectiveAnalysis()));
  }

  /**
   * Starts the post-deploy monitoring of {@code targets} (the new version's); like {@link #watch},
   * run it in a cancellation scope.
   */
  public Promise<AnalysisResult> monitor(List<Target> targets, AutoRollbackSpec spec) {
    return Async.function(
        analysis("post-deploy monitoring for " + CanaryStep.text(spec.window()), spec.window())
            ::monitor,
        new MonitorCall(
            request.service().trafficRouter(),
            targets,
            request.service().name(),
            request.version(),
            request.service().effectiveAnalysis(),
            spec,
            // A promotion's child monitors the canary's servers: its readings are the canary's.
            request.parentDeploymentId() != null
                ? request.parentDeploymentId()
                : request.deploymentId()));
  }

  /**
   * Starts watching the pool that just took traffic (blue-green warm-up); like {@link #watch}, run
   * it in a cancellation scope.
   */
  public Promise<AnalysisResult> warmUp(
      List<Target> live, Duration duration, BlueGreenOptions.WarmUp limits) {
    Duration interval =
        duration.compareTo(Duration.ofSeconds(20)) < 0
            ? Duration.ofSeconds(Math.max(1, duration.getSeconds() / 4))
            : Duration.ofSeconds(5);
    return Async.function(
        analysis("warm-up watch for " + CanaryStep.text(duration), duration)::warmUp,
        new WarmUpCall(request.service().trafficRouter(), live, duration, interval, limits));
  }

  private AnalysisActivities analysis(String summary, Duration duration) {
    return Workflow.newActivityStub(
        AnalysisActivities.class,
        ActivityOptions.newBuilder()
            .setSummary(summary)
            .setStartToCloseTimeout(duration.plusMinutes(5))
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .setRetryOptions(retries(10))
            .build());
  }

  /** Activities for things other than per-target steps (describe the fleet). */
  public DeployActivities deploy() {
    return Workflow.newActivityStub(
        DeployActivities.class,
        ActivityOptions.newBuilder()
            .setSummary("ask the deployer what each target runs")
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(retries(5))
            .build());
  }

  /**
   * The traffic step that takes users off a version being rolled back, retried for about three
   * minutes. Since {@link ChangeIds#URGENT_TRAFFIC_LOCALLY} a local activity: it runs in the worker
   * within the workflow task that decided on the rollback, so the load balancer changes without an
   * activity task for the server to dispatch and a worker to poll (the abort's update is answered
   * after it); a worker that dies meanwhile leaves the workflow task to the next, which runs it
   * again (the step is idempotent). {@code before} is the activity a deployment started before the
   * change keeps.
   */
  private TrafficActivities urgent(String summary, Supplier<TrafficActivities> before) {
    if (Workflow.getVersion(ChangeIds.URGENT_TRAFFIC_LOCALLY, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return before.get();
    }
    return Workflow.newLocalActivityStub(
        TrafficActivities.class,
        LocalActivityOptions.newBuilder()
            .setSummary(summary)
            .setStartToCloseTimeout(Duration.ofMinutes(1))
            .setRetryOptions(retries(10))
            .build());
  }

  private TrafficActivities traffic(String summary, Duration startToClose) {
    return Workflow.newActivityStub(
        TrafficActivities.class,
        ActivityOptions.newBuilder()
            .setSummary(summary)
            .setStartToCloseTimeout(startToClose)
            .setHeartbeatTimeout(HEARTBEAT)
            .setRetryOptions(retries(5))
            .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
            .build());
  }

  private static RetryOptions retries(int attempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2)
        .setMaximumInterval(Duration.ofSeconds(30))
        .setMaximumAttempts(attempts)
        .setDoNotRetry(FailureTypes.CONFIGURATION_ERROR)
        .build();
  }

  /** A one-line reason from a failure, for a target's detail and the deployment. */
  public static String reason(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    return cause.getMessage();
  }

  /** How a drain ended, as a sentence for the event log. */
  public String describeDrain(DrainResult drain) {
    return drain.drained()
        ? "drained in " + drain.waitedMillis() + " ms"
        : "drain timeout after "
            + drain.waitedMillis()
            + " ms with "
            + drain.remainingSessions()
            + " sessions left";
  }
}
