package dev.sluice.judge;

/**
 * The few numerical functions the judge needs, written out so the judge has no dependency: the
 * standard normal distribution function (in log space, so far tails neither underflow nor lose
 * precision), a stable log-sum-exp, and the binomial distribution's upper tail.
 */
final class Stats {

  private static final double LOG_HALF = Math.log(0.5);
  private static final double SQRT_HALF = Math.sqrt(0.5);

  /** Lanczos coefficients (g = 7, n = 9): log Γ to about 15 significant digits. */
  private static final double[] LANCZOS = {
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7
  };

  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private Stats() {}

  /** log Γ(x) for x > 0 (Lanczos approximation). */
  static double logGamma(double x) {
    if (!(x > 0)) {
      throw new IllegalArgumentException("logGamma needs x > 0, got " + x);
    }
    if (x < 0.5) {
      // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
      return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    }
    double z = x - 1;
    double sum = LANCZOS[0];
    double t = z + 7.5;
    for (int i = 1; i < LANCZOS.length; i++) {
      sum += LANCZOS[i] / (z + i);
    }
    return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
  }

  /** log P(X = k) for X ~ Binomial(n, p), 0 ≤ k ≤ n, 0 < p < 1. */
  static double logBinomialPmf(long n, long k, double p) {
    return logGamma(n + 1.0)
        - logGamma(k + 1.0)
        - logGamma(n - k + 1.0)
        + k * Math.log(p)
        + (n - k) * Math.log1p(-p);
  }

  /**
   * log P(X ≥ c) for X ~ Binomial(n, p): the terms from c upwards, added until they no longer
   * change the sum (each step multiplies a term by (n − k)p / ((k + 1)(1 − p)), which falls below 1
   * past the mode).
   */
  static double logBinomialUpperTail(long n, long c, double p) {
    if (c <= 0) {
      return 0;
    }
    if (c > n || p <= 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (p >= 1) {
      return 0;
    }
    // Below the mode the lower tail is the short sum: P(X ≥ c) = 1 − P(X ≤ c − 1).
    if (c <= (n + 1) * p) {
      double lower = logBinomialLowerTail(n, c - 1, p);
      return Math.log1p(-Math.min(1, Math.exp(lower)));
    }
    double logTerm = logBinomialPmf(n, c, p);
    double logOdds = Math.log(p) - Math.log1p(-p);
    double sum = 1;
    double term = 1;
    for (long k = c; k < n; k++) {
      term *= Math.exp(Math.log((double) (n - k) / (k + 1)) + logOdds);
      sum += term;
      if (term < 1e-17 * sum) {
        break;
      }
    }
    return Math.min(0, logTerm + Math.log(sum));
  }

  /** log P(X ≤ c) for X ~ Binomial(n, p), c below the mode: the terms from c downwards. */
  private static double logBinomialLowerTail(long n, long c, double p) {
    if (c < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    double logTerm = logBinomialPmf(n, c, p);
    double logInverseOdds = Math.log1p(-p) - Math.log(p);
    double sum = 1;
    double term = 1;
    for (long k = c; k > 0; k--) {
      term *= Math.exp(Math.log((double) k / (n - k + 1)) + logInverseOdds);
      sum += term;
      if (term < 1e-17 * sum) {
        break;
      }
    }
    return Math.min(0, logTerm + Math.log(sum));
  }

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
