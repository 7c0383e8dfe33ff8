package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;

/**
 * Post-deploy monitoring with automatic rollback: after a deployment has put the new version
 * everywhere it will go, the new version's servers are watched for {@code window}; a check over an
 * absolute threshold rolls the deployment back (rolling and canary: every upgraded server back to
 * the previous version; blue-green: traffic back to the old pool). Nulls take the defaults of
 * {@link #DEFAULT}.
 *
 * @param window how long to watch; zero turns the watch off (default 5 minutes)
 * @param interval how often to check (default 1 minute)
 * @param thresholds ceilings on the service's metrics; one naming a metric the service does not
 *     have is skipped (default: errors 5%, latency p99 1 s, cpu 90%)
 * @param minRequests a check over fewer requests (ratio metrics) is not judged (default 20)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AutoRollbackSpec(
    Duration window, Duration interval, List<Threshold> thresholds, Integer minRequests) {

  /**
   * A ceiling on one metric: on a ratio metric's rate, a samples metric's {@code quantile}, a value
   * metric's value.
   *
   * @param metric the metric's name in the service's analysis settings
   * @param max the ceiling, in {@code unit}
   * @param unit {@code ms}, {@code s} or {@code ratio}; converted to the metric's own unit
   * @param quantile samples metrics: which quantile (default 0.99)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Threshold(String metric, double max, String unit, Double quantile) {}

  public static final List<Threshold> DEFAULT_THRESHOLDS =
      List.of(
          new Threshold("errors", 0.05, "ratio", null),
          new Threshold("latency", 1000, "ms", 0.99),
          new Threshold("cpu", 0.90, "ratio", null));

  public static final AutoRollbackSpec DEFAULT =
      new AutoRollbackSpec(Duration.ofMinutes(5), Duration.ofMinutes(1), DEFAULT_THRESHOLDS, 20);

  public static final AutoRollbackSpec NONE = new AutoRollbackSpec(null, null, null, null);

  public AutoRollbackSpec {
    thresholds = thresholds == null ? null : List.copyOf(thresholds);
  }

  public AutoRollbackSpec orElse(AutoRollbackSpec fallback) {
    if (fallback == null) {
      return this;
    }
    return new AutoRollbackSpec(
        window != null ? window : fallback.window,
        interval != null ? interval : fallback.interval,
        thresholds != null ? thresholds : fallback.thresholds,
        minRequests != null ? minRequests : fallback.minRequests);
  }

  /** Whether there is anything to watch. */
  public boolean enabled() {
    return window != null && !window.isZero() && !window.isNegative();
  }
}
