package dev.sluice.model;

import java.time.Duration;

/**
 * How to decide that a target is healthy: {@code consecutiveSuccesses} answers in a row from {@code
 * GET path} with {@code expectedStatus} (and, when {@code jsonField} is set, that JSON field equal
 * to {@code jsonValue}), all within {@code timeout}.
 *
 * <p>Nulls take the defaults of {@link #DEFAULT}, so a service definition only states what differs.
 */
public record HealthCheckSpec(
    String type,
    String path,
    Integer expectedStatus,
    String jsonField,
    String jsonValue,
    Integer consecutiveSuccesses,
    Duration interval,
    Duration timeout,
    Duration requestTimeout) {

  public static final HealthCheckSpec DEFAULT =
      new HealthCheckSpec(
          "http",
          "/health",
          200,
          null,
          null,
          3,
          Duration.ofSeconds(1),
          Duration.ofSeconds(30),
          Duration.ofSeconds(2));

  public HealthCheckSpec {
    if (DEFAULT != null) {
      type = type != null ? type : DEFAULT.type;
      path = path != null ? path : DEFAULT.path;
      expectedStatus = expectedStatus != null ? expectedStatus : DEFAULT.expectedStatus;
      consecutiveSuccesses =
          consecutiveSuccesses != null ? consecutiveSuccesses : DEFAULT.consecutiveSuccesses;
      interval = interval != null ? interval : DEFAULT.interval;
      timeout = timeout != null ? timeout : DEFAULT.timeout;
      requestTimeout = requestTimeout != null ? requestTimeout : DEFAULT.requestTimeout;
    }
  }
}
