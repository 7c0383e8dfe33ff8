package dev.sluice.api.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A service definition as sent to {@code PUT /api/v1/services/{name}} and returned by GET.
 * Durations are strings such as {@code "10s"}, {@code "2m"} or {@code "PT30S"}; batch sizes are a
 * count or a percentage ({@code 2} or {@code "25%"}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceSpec(
    List<TargetSpec> fleet,
    ProviderSpec trafficRouter,
    ProviderSpec deployer,
    HealthCheckSpecBody healthCheck,
    String defaultStrategy,
    RollingSpec rolling) {

  /** One server: {@code id} is also its name at the traffic router. */
  public record TargetSpec(String id, String host, Integer port, String pool) {}

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

  /** Rolling settings, as service defaults or a deployment's overrides; unset fields inherit. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RollingSpec(
      Object batchSize,
      Object maxUnavailable,
      String pauseBetweenBatches,
      String drainTimeout,
      Boolean rollbackOnFailure) {}
}
