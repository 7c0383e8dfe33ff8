package dev.sluice.api.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.model.MetricCheck;
import java.util.List;
import java.util.Map;

/**
 * A service definition as sent to {@code PUT /api/v1/services/{name}} and returned by GET. The
 * fleet is either listed ({@code fleet}) or discovered when each deployment starts ({@code
 * fleetSource}: {@code ec2} or {@code elbv2} with its settings); exactly one of the two. Durations
 * are strings such as {@code "10s"}, {@code "2m"} or {@code "PT30S"}; batch sizes are a count or a
 * percentage ({@code 2} or {@code "25%"}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceSpec(
    List<TargetSpec> fleet,
    ProviderSpec fleetSource,
    ProviderSpec trafficRouter,
    ProviderSpec deployer,
    HealthCheckSpecBody healthCheck,
    String defaultStrategy,
    RollingSpec rolling,
    CanarySpec canary,
    BlueGreenSpec blueGreen,
    AnalysisSpecBody analysis,
    AutoRollbackBody autoRollback) {

  /**
   * A definition with its fleet listed, without analysis settings (the defaults: HAProxy's
   * counters).
   */
  public ServiceSpec(
      List<TargetSpec> fleet,
      ProviderSpec trafficRouter,
      ProviderSpec deployer,
      HealthCheckSpecBody healthCheck,
      String defaultStrategy,
      RollingSpec rolling,
      CanarySpec canary,
      BlueGreenSpec blueGreen) {
    this(
        fleet,
        null,
        trafficRouter,
        deployer,
        healthCheck,
        defaultStrategy,
        rolling,
        canary,
        blueGreen,
        null,
        null);
  }

  /**
   * Post-deploy monitoring (watch the new version, roll back on a breach): off unless given; {@code
   * {}} turns it on with the default ceilings (errors 5%, latency p99 1 s, CPU 90% where such
   * metrics exist) for 5 minutes, checked every minute. {@code window: "0s"} turns it off for one
   * deployment.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AutoRollbackBody(
      String window, String interval, List<ThresholdBody> thresholds, Integer minRequests) {}

  /** A ceiling on one of the service's metrics; {@code unit}: ratio, ms or s. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ThresholdBody(String metric, Double max, String unit, Double quantile) {}

  /**
   * Where the service's metrics come from and which ones canaries are judged on; unset: HAProxy's
   * counters (errors, critical; mean response time).
   *
   * @param provider {@code haproxy-stats} or {@code prometheus} with its settings
   * @param metrics each {@code {name, type: ratio|samples|value, direction, critical,
   *     allowedChange, minSamples, quantile, unit}}
   * @param alpha the false-failure budget of a whole analysis (default 0.01)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AnalysisSpecBody(ProviderSpec provider, List<MetricCheck> metrics, Double alpha) {}

  /** One server: {@code id} is also its name at the traffic router. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TargetSpec(String id, String host, Integer port, String pool, String zone) {}

  /** An adapter by type, with its settings (references to secrets, never secret values). */
  public record ProviderSpec(String type, Map<String, Object> settings) {}

  /** How a target is judged healthy; unset fields take the defaults. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HealthCheckSpecBody(
      String type,
      String path,
      Integer expectedStatus,
      String jsonField,
      String jsonValue,
      Integer consecutiveSuccesses,
      String interval,
      String timeout,
      String requestTimeout) {}

  /**
   * Canary settings, as service defaults or for one deployment: the plan (Argo Rollouts style
   * steps) and how many targets become canaries.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CanarySpec(List<StepSpec> steps, Object canaryCount) {}

  /**
   * Exactly one of: {@code setWeight}, {@code pause} (no duration: until promoted), {@code
   * analysis}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StepSpec(Integer setWeight, PauseSpec pause, AnalysisBody analysis) {}

  public record PauseSpec(String duration) {}

  /** Analysis thresholds; unset fields take the defaults (see the README). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AnalysisBody(
      String duration,
      String interval,
      Double maxErrorRatio,
      Double maxLatencyRatio,
      Double maxErrorRate,
      Double errorRateFloor,
      Integer minRequests,
      Integer maxInconclusive,
      String judge) {}

  /**
   * Blue-green settings, as service defaults or for one deployment; unset fields take the defaults
   * (smoke checks of /health and /api/version, no approval gate, a 60 s warm-up with error rate
   * below 1% and response time below 500 ms, a 30 min rollback window).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record BlueGreenSpec(
      List<SmokeSpec> smokeChecks,
      Boolean manualApproval,
      String autoPromoteAfter,
      String warmUp,
      WarmUpSpec warmUpAnalysis,
      String rollbackWindow,
      Boolean stopOldPool) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SmokeSpec(
      String path, Integer expectedStatus, String jsonField, String jsonValue) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WarmUpSpec(Double maxErrorRate, Long maxLatencyMs, Integer minRequests) {}

  /** Rolling settings, as service defaults or a deployment's overrides; unset fields inherit. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RollingSpec(
      Object batchSize,
      Object maxUnavailable,
      String pauseBetweenBatches,
      String drainTimeout,
      Boolean rollbackOnFailure,
      Boolean byZone,
      String zoneBake,
      Object minHealthyPerZone) {

    /** Settings without the zone-at-a-time ones. */
    public RollingSpec(
        Object batchSize,
        Object maxUnavailable,
        String pauseBetweenBatches,
        String drainTimeout,
        Boolean rollbackOnFailure) {
      this(
          batchSize,
          maxUnavailable,
          pauseBetweenBatches,
          drainTimeout,
          rollbackOnFailure,
          null,
          null,
          null);
    }
  }
}
