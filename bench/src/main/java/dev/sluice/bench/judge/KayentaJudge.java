package dev.sluice.bench.judge;

import java.util.Arrays;

/**
 * Kayenta's NetflixACAJudge as a canary stage re-runs it at every check: each metric is a time
 * series (one error rate and one p99 per interval and group), compared by a fixed-horizon
 * Mann-Whitney test over all intervals so far — "High" when the 98% confidence interval of the
 * Hodges-Lehmann shift lies above 0.25 × the estimate (Kayenta's {@code MannWhitneyClassifier},
 * fraction 0.25, confidence 0.98). Intervals without canary traffic are dropped (its NaN removal).
 */
public final class KayentaJudge implements LiveJudge {

  static final double CONFIDENCE = 0.98;
  static final double FRACTION = 0.25;

  /** z of (1 + 0.98) / 2. */
  static final double Z = 2.3263478740408408;

  private final Series errors = new Series();
  private final Series p99 = new Series();

  @Override
  public boolean fails(Interval d) {
    if (d.canaryRequests() > 0 && d.baselineRequests() > 0) {
      errors.add(
          (double) d.baselineErrors() / d.baselineRequests(),
          (double) d.canaryErrors() / d.canaryRequests());
      p99.add(
          Interval.quantile(d.baselineLatency(), 0.99), Interval.quantile(d.canaryLatency(), 0.99));
    }
    return high(errors) || high(p99);
  }

  /** Whether the canary's series is classified High. */
  static boolean high(Series s) {
    int n1 = s.size;
    int n2 = s.size;
    if (n1 < 2) {
      return false;
    }
    double[] canary = Arrays.copyOf(s.canary, n1);
    double[] baseline = Arrays.copyOf(s.baseline, n2);
    // The test first (cheap): only a significant difference can have an interval excluding 0.
    if (twoSidedP(canary, baseline) >= 1 - CONFIDENCE) {
      return false;
    }
    double[] d = new double[n1 * n2];
    int k = 0;
    for (double c : canary) {
      for (double b : baseline) {
        d[k++] = c - b;
      }
    }
    Arrays.sort(d);
    int m = d.length;
    double estimate = m % 2 == 1 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2;
    int c = (int) Math.floor(m / 2.0 - Z * Math.sqrt(n1 * (double) n2 * (n1 + n2 + 1) / 12));
    if (c < 1) {
      return false;
    }
    double lower = d[c - 1];
    return lower > FRACTION * Math.abs(estimate);
  }

  /** Two-sided Mann-Whitney p-value, normal approximation with tie and continuity corrections. */
  static double twoSidedP(double[] x, double[] y) {
    int n1 = x.length;
    int n2 = y.length;
    int n = n1 + n2;
    double[] all = new double[n];
    System.arraycopy(x, 0, all, 0, n1);
    System.arraycopy(y, 0, all, n1, n2);
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(all[a], all[b]));
    double rankSum = 0;
    double ties = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && all[order[j]] == all[order[i]]) {
        j++;
      }
      double t = j - i;
      double rank = i + (t + 1) / 2;
      for (int k = i; k < j; k++) {
        if (order[k] < n1) {
          rankSum += rank;
        }
      }
      ties += t * t * t - t;
      i = j;
    }
    double u = rankSum - n1 * (n1 + 1) / 2.0;
    double mean = n1 * (double) n2 / 2;
    double var = n1 * (double) n2 / 12 * ((n + 1) - ties / ((double) n * (n - 1)));
    if (var <= 0) {
      return 1;
    }
    double diff = u - mean;
    double z = (Math.abs(diff) - 0.5) / Math.sqrt(var);
    return Math.min(1, 2 * upperTail(Math.max(0, z)));
  }

  /** 1 − Φ(z) for z ≥ 0 (Numerical Recipes' erfc, fractional error below 1.2e-7). */
  static double upperTail(double z) {
    double x = z / Math.sqrt(2);
    double t = 1 / (1 + 0.5 * x);
    double erfc =
        t
            * Math.exp(
                -x * x
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return erfc / 2;
  }

  /** Two growing series of per-interval values. */
  static final class Series {
    double[] baseline = new double[64];
    double[] canary = new double[64];
    int size;

    void add(double b, double c) {
      if (size == baseline.length) {
        baseline = Arrays.copyOf(baseline, size * 2);
        canary = Arrays.copyOf(canary, size * 2);
      }
      baseline[size] = b;
      canary[size] = c;
      size++;
    }
  }
}
