package dev.sluice.judge;

/**
 * The few numerical functions the judge needs, written out so the judge has no dependency: the
 * standard normal distribution function (in log space, so far tails neither underflow nor lose
 * precision) and a stable log-sum-exp.
 */
final class Stats {

  private static final double LOG_HALF = Math.log(0.5);
  private static final double SQRT_HALF = Math.sqrt(0.5);

  private Stats() {}

  /**
   * log erfc(x) for x ≥ 0, by the Chebyshev fit of Numerical Recipes' {@code erfcc} (fractional
   * error below 1.2e-7 everywhere), kept in log space so large x doesn't underflow.
   */
  static double logErfc(double x) {
    if (x < 0) {
      throw new IllegalArgumentException("logErfc needs x >= 0, got " + x);
    }
    double t = 1 / (1 + 0.5 * x);
    double poly =
        -1.26551223
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
                                                                                * 0.17087277))))))));
    return Math.log(t) - x * x + poly;
  }

  /** log Φ(z), Φ the standard normal distribution function. */
  static double logNormalCdf(double z) {
    double x = -z * SQRT_HALF;
    if (x >= 0) {
      // Φ(z) = erfc(x) / 2 with x ≥ 0: the lower tail, computed in log space.
      return LOG_HALF + logErfc(x);
    }
    // Φ(z) = 1 − erfc(−x) / 2: close to 1.
    return Math.log1p(-0.5 * Math.exp(logErfc(-x)));
  }

  /** Φ(z). */
  static double normalCdf(double z) {
    return Math.exp(logNormalCdf(z));
  }

  /** log(Σ exp(v)) without overflow; −∞ for an empty array. */
  static double logSumExp(double[] values) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      max = Math.max(max, v);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    double sum = 0;
    for (double v : values) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  /** log of the mean of exp(v). */
  static double logMeanExp(double[] values) {
    return logSumExp(values) - Math.log(values.length);
  }
}
