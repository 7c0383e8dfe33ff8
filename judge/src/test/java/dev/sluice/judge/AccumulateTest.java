package dev.sluice.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.judge.JudgeState.Evidence;
import dev.sluice.judge.JudgeState.Test;
import dev.sluice.judge.Measure.Increment;

/**
 * The e-values are e-values: under the null their expectation is at most 1 (exactly 1 at the
 * allowance), computed exactly rather than sampled. This is what Ville's inequality, and so the
 * false-failure guarantee, rests on.
 */
class AccumulateTest {

  /**
   * E[e-value] after one interval of {@code trials} events when the canary's odds are {@code odds}.
   */
  static double expectedEvidence(Test test, int trials, double nullOdds, double odds) {
    double p = odds / (1 + odds);
    double expectation = 0;
    double choose = 1;
    for (int s = 0; s <= trials; s++) {
      if (s > 0) {
        choose = choose * (trials - s + 1) / s;
      }
      double probability = choose * Math.pow(p, s) * Math.pow(1 - p, trials - s);
      Evidence e =
          Accumulate.add(Evidence.none(test, true), Increment.binomial(s, trials, nullOdds));
      expectation += probability * Math.exp(Accumulate.logEvidence(e));
    }
    return expectation;
  }

  @org.junit.jupiter.api.Test
  void theMixtureWeightsArePositiveAndSumToOne() {
    assertThat(Evidence.WEIGHTS).hasSameSizeAs(Evidence.ODDS_RATIOS);
    assertThat(Evidence.WEIGHTS).allSatisfy(w -> assertThat(w).isPositive());
    assertThat(Evidence.WEIGHTS.stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1, within(1e-12));
    assertThat(Evidence.ODDS_RATIOS).allSatisfy(r -> assertThat(r).isGreaterThan(1));
  }

  @org.junit.jupiter.api.Test
  void theRateEvidenceHasExpectationOneAtTheAllowanceAndBelowOneInside() {
    for (int trials : new int[] {1, 5, 30}) {
      for (double nullOdds : new double[] {0.05, 0.12, 1}) {
        assertThat(expectedEvidence(Test.RATE, trials, nullOdds, nullOdds))
            .isCloseTo(1, within(1e-9));
        assertThat(expectedEvidence(Test.RATE, trials, nullOdds, nullOdds / 1.05)).isLessThan(1);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void theSignEvidenceHasExpectationOneAtEvenOdds() {
    assertThat(expectedEvidence(Test.SIGN, 1, 1, 1)).isCloseTo(1, within(1e-12));
    assertThat(expectedEvidence(Test.SIGN, 1, 1, 0.8)).isLessThan(1);
  }

  @org.junit.jupiter.api.Test
  void theRankMixtureHasExpectationOneWhenTheScoreIsNormalWithMeanZero() {
    // Score Z ~ N(0, I) under the null: integrate the closed-form mixture against its density.
    for (double information : new double[] {1, 100, 10_000}) {
      double sd = Math.sqrt(information);
      // Under the null the mixture weighs z like N(0, I·(1 + τ²I)): integrate that far out.
      double reach = 12 * sd * Math.sqrt(1 + Accumulate.TAU * Accumulate.TAU * information);
      double expectation = 0;
      double step = sd / 200;
      for (double z = -reach; z <= reach; z += step) {
        Evidence e =
            Accumulate.add(Evidence.none(Test.LOCATION, true), Increment.rank(z, information));
        double logDensity = -z * z / (2 * information) - Math.log(sd * Math.sqrt(2 * Math.PI));
        // In logs: far out, the e-value overflows where the density underflows.
        expectation += Math.exp(Accumulate.logEvidence(e) + logDensity) * step;
      }
      assertThat(expectation).isCloseTo(1, within(1e-3));
    }
  }

  @org.junit.jupiter.api.Test
  void evidenceAccumulatesAcrossIntervalsAsOneLikelihoodRatio() {
    Evidence none = Evidence.none(Test.RATE, true);
    Evidence first = Accumulate.add(none, Increment.binomial(3, 10, 0.2));
    Evidence second = Accumulate.add(none, Increment.binomial(4, 12, 0.3));
    Evidence both = Accumulate.add(first, Increment.binomial(4, 12, 0.3));

    // Each alternative's log likelihood ratio over both intervals is the sum of the intervals'.
    for (int k = 0; k < Evidence.ODDS_RATIOS.size(); k++) {
      assertThat(both.logRatios().get(k))
          .isCloseTo(first.logRatios().get(k) + second.logRatios().get(k), within(1e-12));
    }
    assertThat(both.successes()).isEqualTo(7);
    assertThat(both.trials()).isEqualTo(22);
    assertThat(both.expected()).isCloseTo(10 * 0.2 / 1.2 + 12 * 0.3 / 1.3, within(1e-12));
  }
}
