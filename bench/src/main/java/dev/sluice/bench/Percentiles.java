package dev.sluice.bench;

import java.util.List;

/** Nearest-rank percentiles of the benchmarks' samples. */
final class Percentiles {

  private Percentiles() {}

  /** The {@code p} percentile (0 to 1) of {@code values}, in any order; NaN when there are none. */
  static double of(List<? extends Number> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
