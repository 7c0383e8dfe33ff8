package dev.sluice.judge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Recorded series to replay, as JSON ({@code POST /api/v1/analysis/judge}, {@code sluice judge
 * FILE}):
 *
 * <pre>{@code
 * {"alpha": 0.01,
 *  "metrics": [
 *   {"name": "errors", "type": "ratio", "direction": "increase", "critical": true,
 *    "allowedChange": 0.1, "minSamples": 100,
 *    "intervals": [{"baseline": {"events": 12, "total": 10000},
 *                   "canary": {"events": 3, "total": 1000}}]},
 *   {"name": "latency", "type": "samples", "direction": "increase", "quantile": 0.99,
 *    "intervals": [{"baseline": [12.1, 15.3], "canary": [13.0, 40.2]}]},
 *   {"name": "revenue", "type": "value", "direction": "decrease",
 *    "intervals": [{"baseline": 0.52, "canary": 0.49}]}]}
 * }</pre>
 *
 * Every metric has the same number of intervals (the same windows); an interval, or a side of one,
 * that is {@code null} had no data. Optional fields take the defaults of {@link JudgeSpec}.
 *
 * @param alpha the false-failure budget for all metrics together (default 0.01)
 * @param metrics one or more metrics
 */
public record JudgeRequest(Double alpha, List<Metric> metrics) {

  /**
   * One metric's settings and series.
   *
   * @param name unique
   * @param type {@code ratio}, {@code samples} or {@code value}
   * @param direction {@code increase} (default), {@code decrease} or {@code either}
   * @param critical whether its failure fails the canary at once (default: true for {@code ratio},
   *     false otherwise, as for a service's analysis metrics)
   * @param allowedChange relative change still counting as no regression (default 0.05, {@link
   *     JudgeSpec#DEFAULT_ALLOWED_CHANGE})
   * @param minSamples requests, samples or intervals each group needs (default 100, 100, 5)
   * @param quantile samples only: the tail watched (default 0.99)
   * @param intervals the series, oldest first
   */
  public record Metric(
      String name,
      String type,
      String direction,
      Boolean critical,
      Double allowedChange,
      Long minSamples,
      Double quantile,
      List<Interval> intervals) {}

  /**
   * One interval: per side {@code {"events": e, "total": n}} (ratio), an array of numbers (samples)
   * or a number (value); null for no data.
   */
  public record Interval(JsonNode baseline, JsonNode canary) {}
}
