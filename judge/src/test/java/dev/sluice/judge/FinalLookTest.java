package dev.sluice.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.judge.JudgeState.Evidence;
import dev.sluice.judge.JudgeState.Test;
import dev.sluice.judge.Measure.Increment;
import java.util.SplittableRandom;

/**
 * The look at the end is a valid test — a good canary's one-look p-value is at most {@code level}
 * at most {@code level} of the time, however the intervals' null odds differ — and the power it
 * reports is the power it has. Seeded simulations, deterministic.
 */
class FinalLookTest {

  static final int RUNS = 20_000;

  /**
   * A rate test's evidence after {@code intervals} intervals of 3 to 30 events each, the canary's
   * share of the traffic between 2% and 40% (so the null odds differ from interval to interval),
   * the canary's odds {@code ratio} times the null's.
   */
  static Evidence simulate(SplittableRandom random, int intervals, double ratio) {
    Evidence e = Evidence.none(Test.RATE, true);
    for (int k = 0; k < intervals; k++) {
      int trials = random.nextInt(3, 31);
      double share = random.nextDouble(0.02, 0.4);
      double nullOdds = share / (1 - share);
      double p = nullOdds * ratio / (1 + nullOdds * ratio);
      int successes = 0;
      for (int t = 0; t < trials; t++) {
        successes += random.nextDouble() < p ? 1 : 0;
      }
      e = Accumulate.add(e, Increment.binomial(successes, trials, nullOdds));
    }
    return e;
  }

  @org.junit.jupiter.api.Test
  void aGoodCanaryFailsTheLookAtMostLevelOfTheTime() {
    SplittableRandom random = new SplittableRandom(11);
    for (double level : new double[] {0.05, 0.01}) {
      int rejected = 0;
      for (int i = 0; i < RUNS; i++) {
        rejected += FinalLook.logPValue(simulate(random, 10, 1)) <= Math.log(level) ? 1 : 0;
      }
      assertThat((double) rejected / RUNS).as("level %s", level).isLessThanOrEqualTo(level);
    }
  }

  @org.junit.jupiter.api.Test
  void theReportedDetectableRegressionIsDetectedAboutEightyPercentOfTheTime() {
    // Fixed null odds, so the one-look test is exactly binomial and its power computable.
    double level = 0.0025;
    Evidence shape = Evidence.none(Test.RATE, true);
    for (int k = 0; k < 20; k++) {
      shape = Accumulate.add(shape, Increment.binomial(0, 30, 0.1));
    }
    double r = FinalLook.detectableOddsRatio(shape, level);
    assertThat(r).isBetween(1.5, 4.0);
    double p = 0.1 * r / (1 + 0.1 * r);
    long critical = FinalLook.criticalCount(600, 0.1 / 1.1, level);
    double power = Math.exp(Stats.logBinomialUpperTail(600, critical, p));
    assertThat(power).isBetween(0.75, 0.85);
  }

  @org.junit.jupiter.api.Test
  void theCriticalCountIsTheFirstThatFails() {
    long c = FinalLook.criticalCount(500, 0.05, 0.001);
    assertThat(Stats.logBinomialUpperTail(500, c, 0.05)).isLessThanOrEqualTo(Math.log(0.001));
    assertThat(Stats.logBinomialUpperTail(500, c - 1, 0.05)).isGreaterThan(Math.log(0.001));
    assertThat(FinalLook.criticalCount(3, 0.5, 0.001)).as("no count can fail").isEqualTo(-1);
  }
}
