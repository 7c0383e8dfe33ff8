package dev.sluice.activities.metrics.prometheus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Turns a Prometheus histogram's buckets into approximate observations, for judges that compare
 * distributions of values.
 *
 * <p>Each bucket {@code (lower, upper]} holding {@code n} observations gives {@code n} values
 * spread evenly inside it, at {@code lower + (upper - lower) * (k + 0.5) / n}: the same assumption
 * of a uniform spread within a bucket that {@code histogram_quantile} makes, so the values'
 * quantiles match what Prometheus would compute. The first bucket starts at 0 (observations are
 * taken to be non-negative, as durations and sizes are). Observations above the highest finite
 * bound ({@code le="+Inf"} only) are placed at that bound, which understates them. Resolution is
 * the buckets': two versions whose observations fall in the same buckets give the same values.
 */
final class HistogramSamples {

  private HistogramSamples() {}

  /**
   * The values for cumulative bucket counts.
   *
   * @param cumulative bucket upper bound ({@code le}, {@link Double#POSITIVE_INFINITY} for {@code
   *     +Inf}) to the count of observations at or below it, as {@code increase()} of {@code
   *     _bucket} series gives them; counts that go down from one bound to the next (extrapolation
   *     noise) are raised to the count before, fractional counts are rounded
   * @param maxValues at most this many values: above it every bucket's count is scaled down by the
   *     same factor (total / maxValues), keeping the distribution's shape
   * @return values in ascending order; empty when the buckets hold no observation or no finite
   *     bound
   */
  static List<Double> fromBuckets(NavigableMap<Double, Double> cumulative, int maxValues) {
    double total = 0;
    for (double count : cumulative.values()) {
      total = Math.max(total, count);
    }
    boolean hasFiniteBound = !cumulative.isEmpty() && Double.isFinite(cumulative.firstKey());
    if (total <= 0 || !hasFiniteBound) {
      return List.of();
    }
    double scale = Math.min(1.0, maxValues / total);
    List<Double> values = new ArrayList<>();
    double lower = 0;
    double running = 0;
    long emitted = 0;
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      double upper = bucket.getKey();
      running = Math.max(running, bucket.getValue());
      // Rounding the running total rather than each bucket keeps the sum exact.
      long upTo = Math.round(running * scale);
      long n = upTo - emitted;
      emitted = upTo;
      double from = Math.min(lower, upper);
      for (long k = 0; k < n; k++) {
        values.add(Double.isFinite(upper) ? from + (upper - from) * (k + 0.5) / n : lower);
      }
      if (Double.isFinite(upper)) {
        lower = upper;
      }
    }
    return values;
  }
}
