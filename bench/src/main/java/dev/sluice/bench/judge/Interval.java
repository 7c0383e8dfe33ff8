package dev.sluice.bench.judge;

/** What both groups did in one interval: requests, errors and every response time (sorted, ms). */
public record Interval(
    long baselineRequests,
    long baselineErrors,
    long canaryRequests,
    long canaryErrors,
    double[] baselineLatency,
    double[] canaryLatency) {

  /** The p-quantile of sorted values (nearest rank), NaN if there are none. */
  static double quantile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
