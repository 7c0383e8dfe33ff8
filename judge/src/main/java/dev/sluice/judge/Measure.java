package dev.sluice.judge;

import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeState.Evidence;
import dev.sluice.judge.JudgeState.Test;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Stage 1 of a step: one interval of one metric reduced to what its sequential tests need. Every
 * comparison is made within the interval — the canary against the baseline serving in the same
 * window — so drift and noise shared by both groups cancel, and a canary weight that changes
 * between intervals confounds nothing.
 *
 * <p>The allowance is applied to the baseline before comparing: with {@code allowedChange} 0.1 and
 * {@code increase}, the canary is compared with the baseline's rate × 1.1 (ratio), with every
 * baseline sample × 1.1 (samples: so each quantile may grow 10%), or with the baseline's value ×
 * 1.1 (value). A regression within the allowance therefore never fails, however much data there is.
 */
final class Measure {

  /**
   * The rank test's normal approximation needs a few samples of each group in an interval; smaller
   * intervals feed the (exact) tail test only.
   */
  static final int MIN_RANK_SAMPLES = 5;

  private Measure() {}

  /**
   * One interval of one metric.
   *
   * @param present false when the interval had no usable data (provider error, no traffic)
   * @param baselineSize requests (ratio), samples (samples) or 1 (value) of the baseline
   * @param canarySize the same for the canary
   * @param baselineEvents ratio only
   * @param canaryEvents ratio only
   * @param increments one per test of {@link #tests}, in that order
   */
  record Measured(
      boolean present,
      long baselineSize,
      long canarySize,
      long baselineEvents,
      long canaryEvents,
      List<Increment> increments) {

    static Measured absent() {
      return new Measured(false, 0, 0, 0, 0, List.of());
    }
  }

  /**
   * What one interval adds to one test: {@code successes} of {@code trials} events fell on the
   * regression side, where the allowance expects odds of {@code nullOdds} (binomial tests); or a
   * rank {@code score} with its {@code information} (the rank test).
   */
  record Increment(
      double successes, double trials, double nullOdds, double score, double information) {

    static final Increment NONE = new Increment(0, 0, 1, 0, 0);

    static Increment binomial(double successes, double trials, double nullOdds) {
      return trials > 0 && nullOdds > 0 && Double.isFinite(nullOdds)
          ? new Increment(successes, trials, nullOdds, 0, 0)
          : NONE;
    }

    static Increment rank(double score, double information) {
      return new Increment(0, 0, 1, score, information);
    }
  }

  /**
   * The tests a metric runs, in a fixed order: for each side watched (increase first), ratio → the
   * rate test; samples → the rank (location), tail and wide-tail tests; value → the sign test.
   */
  static List<Evidence> tests(MetricSpec spec) {
    List<Evidence> tests = new ArrayList<>();
    for (boolean increase : sides(spec)) {
      switch (spec.type()) {
        case RATIO -> tests.add(Evidence.none(Test.RATE, increase));
        case SAMPLES -> {
          tests.add(Evidence.none(Test.LOCATION, increase));
          tests.add(Evidence.none(Test.TAIL, increase));
          tests.add(Evidence.none(Test.WIDE_TAIL, increase));
        }
        case VALUE -> tests.add(Evidence.none(Test.SIGN, increase));
      }
    }
    return tests;
  }

  private static List<Boolean> sides(MetricSpec spec) {
    List<Boolean> sides = new ArrayList<>(2);
    if (spec.direction().watchesIncrease()) {
      sides.add(true);
    }
    if (spec.direction().watchesDecrease()) {
      sides.add(false);
    }
    return sides;
  }

  /** Reduces one interval; {@code pair} must have passed {@link ObservationCheck}. */
  static Measured interval(MetricSpec spec, Observation.Pair pair) {
    if (pair == null || pair.baseline() == null || pair.canary() == null) {
      return Measured.absent();
    }
    return switch (spec.type()) {
      case RATIO ->
          ratio(spec, (Observation.Counts) pair.baseline(), (Observation.Counts) pair.canary());
      case SAMPLES ->
          samples(
              spec,
              ((Observation.Samples) pair.baseline()).values(),
              ((Observation.Samples) pair.canary()).values());
      case VALUE ->
          value(
              spec,
              ((Observation.Value) pair.baseline()).value(),
              ((Observation.Value) pair.canary()).value());
    };
  }

  /**
   * Ratio: given how many events both groups had together, the canary's share of them. If events
   * are Poisson with rates λ_b and λ_c = ρ·λ_b, the canary's share is binomial with odds ρ·n_c/n_b
   * (n the groups' totals) whatever λ_b is — the nuisance rate, and any drift of it shared by both
   * groups, drops out. Exact for rare events and conservative otherwise, and 0 events (or 0 in the
   * baseline) is simply a small observation, not a division by zero. The null sits at the
   * allowance: ρ = 1 + allowedChange for increase, 1 − allowedChange for decrease (where the
   * baseline's share is tested instead, so "successes" are always on the regression side).
   */
  static Measured ratio(MetricSpec spec, Observation.Counts baseline, Observation.Counts canary) {
    if (baseline.total() == 0 || canary.total() == 0) {
      return Measured.absent();
    }
    List<Increment> increments = new ArrayList<>(2);
    double events = (double) baseline.events() + canary.events();
    double totals = (double) canary.total() / baseline.total();
    for (boolean increase : sides(spec)) {
      if (increase) {
        increments.add(
            Increment.binomial(canary.events(), events, totals * (1 + spec.allowedChange())));
      } else {
        increments.add(
            Increment.binomial(
                baseline.events(), events, 1 / (totals * (1 - spec.allowedChange()))));
      }
    }
    return new Measured(
        true, baseline.total(), canary.total(), baseline.events(), canary.events(), increments);
  }

  /**
   * Samples: per side, a rank comparison of the canary with the baseline's allowance (stratified
   * Mann-Whitney: the interval's U statistic standardized by its exact permutation variance, ties
   * corrected) and a tail comparison (how many of the pooled samples beyond the pooled quantile are
   * the canary's: hypergeometric under the null, so exact). The rank test catches a shift of the
   * bulk; the tail test a longer tail with the median unchanged, which a rank test misses.
   */
  static Measured samples(MetricSpec spec, double[] baseline, double[] canary) {
    if (baseline.length == 0 || canary.length == 0) {
      return Measured.absent();
    }
    double[] sortedBaseline = baseline.clone();
    double[] sortedCanary = canary.clone();
    Arrays.sort(sortedBaseline);
    Arrays.sort(sortedCanary);
    double allowed = spec.allowedChange();
    List<Increment> increments = new ArrayList<>(4);
    for (boolean increase : sides(spec)) {
      // The decrease side is the increase side of the negated values.
      double[] c = increase ? sortedCanary : mapped(sortedCanary, v -> -v);
      double[] b =
          increase
              ? mapped(sortedBaseline, v -> v + allowed * Math.abs(v))
              : mapped(sortedBaseline, v -> -(v - allowed * Math.abs(v)));
      Ranks ranks = Ranks.of(c, b, spec.quantile(), wideQuantile(spec.quantile()));
      double share = (double) c.length / b.length;
      increments.add(ranks.locationIncrement());
      increments.add(Increment.binomial(ranks.canaryAbove(), ranks.pooledAbove(), share));
      increments.add(Increment.binomial(ranks.wideCanaryAbove(), ranks.widePooledAbove(), share));
    }
    return new Measured(true, baseline.length, canary.length, 0, 0, increments);
  }

  /**
   * Value: one sign per interval — was the canary beyond the baseline's allowance? Under the null
   * that happens at most half the time, whatever the noise; ties carry no information.
   */
  static Measured value(MetricSpec spec, double baseline, double canary) {
    double allowed = spec.allowedChange();
    List<Increment> increments = new ArrayList<>(2);
    for (boolean increase : sides(spec)) {
      double bound =
          increase
              ? baseline + allowed * Math.abs(baseline)
              : baseline - allowed * Math.abs(baseline);
      if (canary == bound) {
        increments.add(Increment.NONE);
      } else {
        boolean beyond = increase ? canary > bound : canary < bound;
        increments.add(Increment.binomial(beyond ? 1 : 0, 1, 1));
      }
    }
    return new Measured(true, 1, 1, 0, 0, increments);
  }

  /**
   * The wider tail watched besides {@code quantile}'s: five times as many samples (the p95 for the
   * p99, the p75 for the p95), at least the median. A regression that lengthens the whole upper
   * tail (a larger spread) or slows a few percent of the requests puts more of the canary beyond
   * the p95 than the count beyond the p99 can show: the p95 holds five times the samples, so a
   * smaller excess there is as much evidence.
   */
  static double wideQuantile(double quantile) {
    return Math.max(0.5, 1 - 5 * (1 - quantile));
  }

  /** {@code f} applied to each value, sorted (sorted input and a monotone {@code f} stay cheap). */
  static double[] mapped(double[] sorted, DoubleUnaryOperator f) {
    int n = sorted.length;
    double[] out = new double[n];
    boolean ascending = true;
    boolean descending = true;
    for (int i = 0; i < n; i++) {
      out[i] = f.applyAsDouble(sorted[i]);
      if (i > 0) {
        ascending &= out[i] >= out[i - 1];
        descending &= out[i] <= out[i - 1];
      }
    }
    if (ascending) {
      return out;
    }
    if (descending) {
      for (int i = 0, j = n - 1; i < j; i++, j--) {
        double t = out[i];
        out[i] = out[j];
        out[j] = t;
      }
      return out;
    }
    Arrays.sort(out);
    return out;
  }

  /**
   * Rank statistics of one interval, from both groups' sorted samples.
   *
   * @param canary the canary's sample size n_c
   * @param baseline the baseline's sample size n_b
   * @param u the Mann-Whitney U: pairs with the canary above, ties counting half
   * @param tieTerm Σ (t³ − t) over groups of t tied values, for the variance
   * @param canaryAbove canary samples above the pooled quantile
   * @param pooledAbove samples of both groups above the pooled quantile
   * @param wideCanaryAbove canary samples above the pooled wide quantile
   * @param widePooledAbove samples of both groups above the pooled wide quantile
   */
  record Ranks(
      int canary,
      int baseline,
      double u,
      double tieTerm,
      int canaryAbove,
      int pooledAbove,
      int wideCanaryAbove,
      int widePooledAbove) {

    static Ranks of(
        double[] canarySorted, double[] baselineSorted, double quantile, double wideQuantile) {
      int nc = canarySorted.length;
      int nb = baselineSorted.length;
      int n = nc + nb;
      // The pooled quantile is the pooled sample of this rank (1-based).
      int thresholdRank = Math.max(1, Math.min(n, (int) Math.ceil(quantile * n)));
      int wideRank = Math.max(1, Math.min(n, (int) Math.ceil(wideQuantile * n)));
      int wideCanaryAbove = 0;
      int widePooledAbove = 0;
      double rankSum = 0;
      double tieTerm = 0;
      int below = 0;
      int i = 0;
      int j = 0;
      int canaryAbove = 0;
      int pooledAbove = 0;
      while (i < nc || j < nb) {
        double v =
            j >= nb
                ? canarySorted[i]
                : i >= nc ? baselineSorted[j] : Math.min(canarySorted[i], baselineSorted[j]);
        int a = 0;
        while (i < nc && canarySorted[i] == v) {
          i++;
          a++;
        }
        int b = 0;
        while (j < nb && baselineSorted[j] == v) {
          j++;
          b++;
        }
        double t = a + b;
        rankSum += a * (below + (t + 1) / 2);
        tieTerm += t * t * t - t;
        if (below < thresholdRank && thresholdRank <= below + t) {
          canaryAbove = nc - i;
          pooledAbove = n - (below + a + b);
        }
        if (below < wideRank && wideRank <= below + t) {
          wideCanaryAbove = nc - i;
          widePooledAbove = n - (below + a + b);
        }
        below += a + b;
      }
      double u = rankSum - nc * (nc + 1.0) / 2;
      return new Ranks(
          nc, nb, u, tieTerm, canaryAbove, pooledAbove, wideCanaryAbove, widePooledAbove);
    }

    /**
     * The interval's estimate of P(canary > baseline) − ½ over its null variance (the score), and
     * one over that variance (the information); nothing for intervals too small or all tied.
     */
    Increment locationIncrement() {
      if (canary < MIN_RANK_SAMPLES || baseline < MIN_RANK_SAMPLES) {
        return Increment.NONE;
      }
      double n = (double) canary + baseline;
      double pairs = (double) canary * baseline;
      double variance = ((n + 1) - tieTerm / (n * (n - 1))) / (12 * pairs);
      if (!(variance > 0)) {
        return Increment.NONE;
      }
      double estimate = u / pairs - 0.5;
      return Increment.rank(estimate / variance, 1 / variance);
    }
  }
}
