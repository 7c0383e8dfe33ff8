package dev.sluice.judge;

import dev.sluice.judge.JudgeState.Evidence;
import dev.sluice.judge.JudgeState.MetricState;
import dev.sluice.judge.JudgeState.Test;
import dev.sluice.judge.Measure.Increment;
import dev.sluice.judge.Measure.Measured;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Stage 2 of a step: adds an interval to a test's running statistics, and turns those into an
 * e-value — a mixture likelihood ratio that, if the canary is within its allowance, is a
 * nonnegative supermartingale with expectation at most 1. By Ville's inequality the chance that it
 * <em>ever</em> reaches 1/α is at most α, so it may be checked after every interval, forever, at no
 * cost in false failures: the mixture sequential probability ratio test (mSPRT) behind the
 * "always-valid p-values" of Johari, Koomen, Pekelis and Walsh, <i>Always Valid Inference</i>
 * (Operations Research 70(3), 2022), after Robbins (1970).
 */
final class Accumulate {

  /**
   * Scale of the half-normal mixing distribution of the rank test's effect P(canary > baseline) −
   * ½: the effects that matter in a canary are a few hundredths to a few tenths.
   */
  static final double TAU = 0.1;

  private static final double[] LOG_ODDS_RATIOS = logs(Evidence.ODDS_RATIOS);

  /** Normalized, so rounding cannot make the weights sum above 1. */
  private static final double[] LOG_WEIGHTS =
      logs(
          Evidence.WEIGHTS.stream()
              .map(w -> w / Evidence.WEIGHTS.stream().mapToDouble(Double::doubleValue).sum())
              .toList());

  private static final double[] SIGN_LOG_ODDS_RATIOS = logs(Evidence.SIGN_ODDS_RATIOS);

  /** The sign test's alternatives are equally weighted. */
  private static final double[] SIGN_LOG_WEIGHTS =
      logs(
          Collections.nCopies(
              Evidence.SIGN_ODDS_RATIOS.size(), 1.0 / Evidence.SIGN_ODDS_RATIOS.size()));

  private static double[] logs(List<Double> values) {
    return values.stream().mapToDouble(Math::log).toArray();
  }

  private static double[] logOddsRatios(Test test) {
    return test == Test.SIGN ? SIGN_LOG_ODDS_RATIOS : LOG_ODDS_RATIOS;
  }

  private static double[] logWeights(Test test) {
    return test == Test.SIGN ? SIGN_LOG_WEIGHTS : LOG_WEIGHTS;
  }

  /** Whether {@code evidence} has the shape this version of the judge gives its test. */
  static boolean fits(Evidence evidence) {
    return evidence.logRatios().size()
        == (evidence.test() == Test.LOCATION ? 0 : logOddsRatios(evidence.test()).length);
  }

  private Accumulate() {}

  /** {@code evidence} with one more interval. */
  static Evidence add(Evidence evidence, Increment increment) {
    if (evidence.test() == Test.LOCATION) {
      return new Evidence(
          evidence.test(),
          evidence.increase(),
          evidence.logRatios(),
          evidence.score() + increment.score(),
          evidence.information() + increment.information(),
          0,
          0,
          0);
    }
    if (increment.trials() == 0) {
      return evidence;
    }
    // Binomial likelihood ratio of odds o·r against o for s successes in t trials:
    // s·log r + t·(log(1 + o) − log(1 + o·r)).
    double s = increment.successes();
    double t = increment.trials();
    double o = increment.nullOdds();
    double[] logR = logOddsRatios(evidence.test());
    List<Double> ratios = new ArrayList<>(logR.length);
    for (int k = 0; k < logR.length; k++) {
      double r = Math.exp(logR[k]);
      ratios.add(
          evidence.logRatios().get(k) + s * logR[k] + t * (Math.log1p(o) - Math.log1p(o * r)));
    }
    return new Evidence(
        evidence.test(),
        evidence.increase(),
        ratios,
        0,
        0,
        evidence.successes() + s,
        evidence.trials() + t,
        evidence.expected() + t * o / (1 + o));
  }

  /**
   * The natural log of the test's e-value. Binomial tests: the likelihood ratios of the test's
   * alternatives averaged with their weights — {@link Evidence#WEIGHTS} over {@link
   * Evidence#ODDS_RATIOS} for the rate and tail tests, equal weights over {@link
   * Evidence#SIGN_ODDS_RATIOS} for the sign test. Each ratio is a nonnegative supermartingale with
   * initial value 1 whenever the canary's odds are at most the null's, and the weights are fixed in
   * advance and sum to 1, so the mixture is one too. The rank test: the Gaussian likelihood ratio
   * mixed over a half-normal N(0, τ²) on effects ≥ 0, in closed form: with score Z and information
   * I, Λ = 2 / √(1 + τ²I) · exp(τ²Z² / (2(1 + τ²I))) · Φ(τZ / √(1 + τ²I)).
   */
  static double logEvidence(Evidence evidence) {
    if (evidence.test() == Test.LOCATION) {
      double z = evidence.score();
      double spread = 1 + TAU * TAU * evidence.information();
      return Math.log(2)
          - 0.5 * Math.log(spread)
          + TAU * TAU * z * z / (2 * spread)
          + Stats.logNormalCdf(TAU * z / Math.sqrt(spread));
    }
    double[] logW = logWeights(evidence.test());
    double[] weighted = new double[logW.length];
    for (int k = 0; k < weighted.length; k++) {
      weighted[k] = evidence.logRatios().get(k) + logW[k];
    }
    return Stats.logSumExp(weighted);
  }

  /** {@code state} with one more interval of its metric. */
  static MetricState metric(MetricState state, Measured measured) {
    if (!measured.present()) {
      return new MetricState(
          state.name(),
          state.verdict(),
          state.failedAtInterval(),
          state.baselineSize(),
          state.canarySize(),
          state.baselineEvents(),
          state.canaryEvents(),
          state.intervalsMissing() + 1,
          true,
          state.maxLogEvidence(),
          state.evidence(),
          null,
          null,
          state.details());
    }
    List<Evidence> tests = new ArrayList<>(state.evidence().size());
    for (int i = 0; i < state.evidence().size(); i++) {
      tests.add(add(state.evidence().get(i), measured.increments().get(i)));
    }
    return new MetricState(
        state.name(),
        state.verdict(),
        state.failedAtInterval(),
        state.baselineSize() + measured.baselineSize(),
        state.canarySize() + measured.canarySize(),
        state.baselineEvents() + measured.baselineEvents(),
        state.canaryEvents() + measured.canaryEvents(),
        state.intervalsMissing(),
        false,
        // The running maximum: 1/max is the always-valid p-value, valid at any stopping time.
        Math.max(state.maxLogEvidence(), logEvidence(tests)),
        tests,
        null,
        null,
        state.details());
  }

  /**
   * A metric's e-value: the mean of its tests' e-values (a mean of supermartingales on the same
   * data is one), so a metric with a rank and a tail test, or two sides, spends its α once.
   */
  static double logEvidence(List<Evidence> tests) {
    double[] each = new double[tests.size()];
    for (int i = 0; i < each.length; i++) {
      each[i] = logEvidence(tests.get(i));
    }
    return Stats.logMeanExp(each);
  }
}
