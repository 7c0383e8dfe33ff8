package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Where a service's metrics come from and which of them its canaries are judged on. Used by every
 * analysis step of a canary, by a rolling deployment's batch analysis and by the post-deploy
 * monitoring window.
 *
 * @param provider the metric provider; {@code null}: the default metric provider the traffic
 *     router's registration declares, if any (the activities' provider registry knows which)
 * @param metrics the metrics; {@code null} or empty: {@link #defaultMetrics()} (HAProxy's error
 *     ratio, critical, and its mean response time)
 * @param alpha the false-failure budget of the whole analysis, shared by its metrics: the
 *     probability that a canary as good as its baseline is ever failed, however often it is checked
 *     (default 0.01)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AnalysisConfig(ProviderRef provider, List<MetricCheck> metrics, Double alpha) {

  public static final double DEFAULT_ALPHA = 0.01;

  public static final AnalysisConfig DEFAULT = new AnalysisConfig(null, null, null);

  public AnalysisConfig {
    metrics = metrics == null ? null : List.copyOf(metrics);
  }

  /**
   * What HAProxy's counters can tell: the error ratio (critical) and the mean response time, which
   * may be up to 30% above the baseline's (1.3×) and 5 ms more besides — HAProxy's figure is whole
   * milliseconds averaged over a server's last 1024 responses, so a canary that just started
   * carries its warm-up in it for minutes.
   */
  public static List<MetricCheck> defaultMetrics() {
    return List.of(
        MetricCheck.of("errors", MetricCheck.RATIO).withCritical(true),
        MetricCheck.of("latency", MetricCheck.VALUE)
            .withUnit("ms")
            .withAllowedChange(0.3)
            .withTolerance(5));
  }

  public List<MetricCheck> effectiveMetrics() {
    return metrics == null || metrics.isEmpty() ? defaultMetrics() : metrics;
  }

  public double effectiveAlpha() {
    return alpha != null ? alpha : DEFAULT_ALPHA;
  }
}
