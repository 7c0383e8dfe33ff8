package dev.sluice.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The binomial tail the look at the end rests on, against sums written out. */
class StatsTest {

  static double choose(int n, int k) {
    double c = 1;
    for (int i = 1; i <= k; i++) {
      c = c * (n - k + i) / i;
    }
    return c;
  }

  static double tail(int n, int c, double p) {
    double sum = 0;
    for (int k = c; k <= n; k++) {
      sum += choose(n, k) * Math.pow(p, k) * Math.pow(1 - p, n - k);
    }
    return sum;
  }

  @Test
  void logGammaOfIntegersIsTheLogOfTheFactorial() {
    double logFactorial = 0;
    for (int n = 1; n <= 170; n++) {
      assertThat(Stats.logGamma(n)).isCloseTo(logFactorial, within(1e-9 * (1 + logFactorial)));
      logFactorial += Math.log(n);
    }
    assertThat(Stats.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-12));
  }

  @Test
  void theUpperTailMatchesTheSumOfItsTermsOnBothSidesOfTheMode() {
    for (int n : new int[] {1, 7, 40, 300}) {
      for (double p : new double[] {0.01, 0.1, 0.5, 0.9}) {
        for (int c = 0; c <= n; c += Math.max(1, n / 17)) {
          double expected = tail(n, c, p);
          double actual = Math.exp(Stats.logBinomialUpperTail(n, c, p));
          assertThat(actual)
              .as("P(Binomial(%d, %s) >= %d)", n, p, c)
              .isCloseTo(expected, within(1e-9 * Math.max(expected, 1e-300) + 1e-15));
        }
      }
    }
  }

  @Test
  void farTailsStayInLogSpace() {
    // P(Binomial(100000, 0.01) >= 2000): about e^-320, below a double's range.
    double log = Stats.logBinomialUpperTail(100_000, 2_000, 0.01);
    assertThat(log).isBetween(-400.0, -300.0);
    assertThat(Stats.logBinomialUpperTail(10, 11, 0.5)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(Stats.logBinomialUpperTail(10, 0, 0.5)).isZero();
  }
}
