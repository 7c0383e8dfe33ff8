package dev.sluice.bench.judge;

/**
 * Not a contender but a yardstick for tail regressions: a fixed-horizon test that knows the horizon
 * and where the regression is. It looks once, at the scenario's end, at the canary's share of the
 * pooled samples beyond the pooled p95 — the tail a 5% of slow requests lands in — interval by
 * interval (hypergeometric mean and variance, normal approximation, one-sided, α = 1%, no
 * allowance). No judge that may look at every interval, and must watch every tail, does better
 * within the same time at the same α.
 */
public final class OracleTailJudge implements LiveJudge {

  static final double QUANTILE = 0.95;

  private final int horizon;
  private int intervals;
  private double observed;
  private double expected;
  private double variance;

  public OracleTailJudge(int horizon) {
    this.horizon = horizon;
  }

  @Override
  public boolean fails(Interval d) {
    double[] c = d.canaryLatency();
    double[] b = d.baselineLatency();
    int n = c.length + b.length;
    if (c.length > 0 && b.length > 0) {
      int rank = Math.max(1, Math.min(n, (int) Math.ceil(QUANTILE * n)));
      double threshold = pooledAt(c, b, rank);
      int canaryAbove = above(c, threshold);
      int pooledAbove = canaryAbove + above(b, threshold);
      double share = (double) c.length / n;
      observed += canaryAbove;
      expected += pooledAbove * share;
      variance += n > 1 ? pooledAbove * share * (1 - share) * (n - pooledAbove) / (n - 1.0) : 0;
    }
    return ++intervals == horizon
        && variance > 0
        && (observed - expected) / Math.sqrt(variance) > OracleErrorsJudge.Z;
  }

  /** The pooled sample of 1-based {@code rank} of two sorted arrays. */
  private static double pooledAt(double[] a, double[] b, int rank) {
    int i = 0;
    int j = 0;
    double v = Double.NaN;
    for (int k = 0; k < rank; k++) {
      v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    }
    return v;
  }

  private static int above(double[] sorted, double threshold) {
    int count = 0;
    for (int i = sorted.length - 1; i >= 0 && sorted[i] > threshold; i--) {
      count++;
    }
    return count;
  }
}
