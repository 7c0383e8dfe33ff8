package dev.sluice.judge;

import dev.sluice.judge.JudgeState.Evidence;
import dev.sluice.judge.JudgeState.Test;
import java.util.List;

/**
 * The one look at the end of the analysis: a fixed-horizon test of each binomial test's total,
 * spending the share of a metric's α that its sequential test leaves ({@link
 * JudgeSpec#FINAL_LOOK_SHARE}), and the power that look had.
 *
 * <p>Given the pooled counts of every interval, a test's successes are a sum of independent
 * binomials with the null's probabilities p_k (a Poisson-binomial sum: the hypergeometric count of
 * a tail is one too); their mean is the test's {@code expected}. By Hoeffding (1956, Theorem 4),
 * such a sum's upper tail is at most that of the binomial of the same number of trials and mean,
 * Binomial(n, p̄), at any c ≥ np̄ + 1 — so P(Binomial(n, p̄) ≥ successes) is a valid p-value
 * however the p_k differ, exact at worst-case drift. A look taken once, at an end fixed before the
 * analysis began, is an ordinary test: with the sequential test's own bound the metric's chance of
 * failing a good canary stays at most its α (a union bound).
 *
 * <p>Why look at the end at all: an always-valid test pays for being checked at every interval —
 * its boundary is about √(2 log(1/α)) standard errors where a one-look test needs z_α (3.26 against
 * 2.58 at α = 0.5%) — and where the evidence is scarce (a canary's few dozen errors) that gap is
 * the difference between a regression caught at the end of the window and one passed.
 */
final class FinalLook {

  /** The power the reported detectable effect has. */
  static final double POWER = 0.8;

  /** z of {@link #POWER}. */
  private static final double Z_POWER = 0.8416212335729143;

  private FinalLook() {}

  /** Whether the test has a one-look binomial test (all but the rank test). */
  static boolean binomial(Evidence evidence) {
    return evidence.test() != Test.LOCATION;
  }

  /**
   * The natural log of the test's one-look p-value: log P(Binomial(n, p̄) ≥ successes), n the
   * trials and p̄ = expected / n; 0 (p = 1) where Hoeffding's bound does not reach (fewer than one
   * event expected, or successes below np̄ + 1).
   */
  static double logPValue(Evidence evidence) {
    if (!binomial(evidence) || evidence.trials() < 1) {
      return 0;
    }
    long n = Math.round(evidence.trials());
    double mean = evidence.expected();
    if (mean < 1 || evidence.successes() < mean + 1) {
      return 0;
    }
    return Stats.logBinomialUpperTail(n, Math.round(evidence.successes()), mean / n);
  }

  /** How many of {@code tests} have a one-look test: the metric's final α is split among them. */
  static int looks(List<Evidence> tests) {
    return (int) tests.stream().filter(FinalLook::binomial).count();
  }

  /**
   * A metric's one-look p-value: the smallest of its tests' times their number (Bonferroni over the
   * sides and tests it watches), at most 1.
   */
  static double pValue(List<Evidence> tests) {
    int looks = looks(tests);
    if (looks == 0) {
      return 1;
    }
    double min = 0;
    for (Evidence e : tests) {
      if (binomial(e)) {
        min = Math.min(min, logPValue(e));
      }
    }
    return Math.min(1, looks * Math.exp(min));
  }

  /**
   * The power the look at level {@code level} had: the smallest multiple r of the null odds that it
   * would have detected with probability {@link #POWER} given the test's trials (normal
   * approximation of the binomial under r, a figure for people, not a test); NaN when even a canary
   * with every event would not have been detected, or there were no trials.
   */
  static double detectableOddsRatio(Evidence evidence, double level) {
    if (!binomial(evidence) || evidence.trials() < 1 || evidence.expected() <= 0) {
      return Double.NaN;
    }
    long n = Math.round(evidence.trials());
    double p0 = Math.min(evidence.expected() / n, 1 - 1e-12);
    long critical = criticalCount(n, p0, level);
    if (critical < 0) {
      return Double.NaN;
    }
    // The smallest p whose count reaches the critical one with the power asked for.
    double lo = p0;
    double hi = 1;
    for (int i = 0; i < 60; i++) {
      double p = (lo + hi) / 2;
      double reach = n * p - Z_POWER * Math.sqrt(n * p * (1 - p));
      if (reach >= critical - 0.5) {
        hi = p;
      } else {
        lo = p;
      }
    }
    if (hi >= 1) {
      return Double.NaN;
    }
    return (hi / (1 - hi)) / (p0 / (1 - p0));
  }

  /** The smallest count c the look at {@code level} fails, −1 if none does. */
  static long criticalCount(long n, double p0, double level) {
    long lo = (long) Math.ceil(n * p0 + 1);
    if (n * p0 < 1 || lo > n || Stats.logBinomialUpperTail(n, n, p0) > Math.log(level)) {
      return -1;
    }
    long hi = n;
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      if (Stats.logBinomialUpperTail(n, mid, p0) <= Math.log(level)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
