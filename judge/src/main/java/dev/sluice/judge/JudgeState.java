package dev.sluice.judge;

import dev.sluice.model.Verdict;
import java.util.Collections;
import java.util.List;

/**
 * Everything the judge remembers between intervals: small, immutable and plain (records, lists,
 * numbers), so a live canary can carry it through Temporal activity heartbeats or workflow state
 * and resume after a crash. Produced by {@link Judge#start()} and {@link Judge#step}.
 *
 * @param intervals intervals judged so far
 * @param verdict the overall verdict after the latest interval (see {@link Judge} for the rule)
 * @param decided true once the verdict is final before the end of the analysis: a critical metric
 *     failed; further steps change nothing
 * @param decidedAtInterval the 0-based interval at which {@code decided} became true, else null
 * @param concluded true once the analysis has ended and its one look taken ({@link
 *     Judge#conclude}); no further steps
 * @param metrics one entry per metric, in the spec's order
 */
public record JudgeState(
    int intervals,
    Verdict verdict,
    boolean decided,
    Integer decidedAtInterval,
    boolean concluded,
    List<MetricState> metrics) {

  public JudgeState {
    metrics = List.copyOf(metrics);
  }

  /**
   * One metric's accumulated evidence and its verdict after the latest interval.
   *
   * @param name the metric's name
   * @param verdict PASS (enough data, no significant regression so far), FAIL (sticky) or
   *     INCONCLUSIVE (too little data yet, or no data in the latest interval)
   * @param failedAtInterval the 0-based interval at which it failed, else null
   * @param baselineSize requests (ratio), samples (samples) or intervals with data (value) of the
   *     baseline so far
   * @param canarySize the same for the canary
   * @param baselineEvents ratio only: the baseline's events so far
   * @param canaryEvents ratio only: the canary's events so far
   * @param intervalsMissing intervals without data (provider error, no traffic)
   * @param lastMissing whether the latest interval had no data
   * @param maxLogEvidence the largest natural log of the metric's e-value seen so far; its
   *     always-valid p-value is {@code min(1, exp(-maxLogEvidence))}
   * @param evidence the metric's sequential tests
   * @param finalPValue the one-look p-value at the end of the analysis (see {@link FinalLook}),
   *     null before
   * @param detectable at the end of the analysis, the smallest regression the window could have
   *     detected with 80% power, as the canary's figure over the baseline's: for ratio metrics the
   *     ratio of the rates (2.1: a canary with 2.1 times the baseline's error rate), for samples
   *     the ratio of the canary's share of the tail to its share of the samples, for values the
   *     odds of the canary being beyond the allowance in an interval — of the first side it watches
   *     (increase before decrease); null before the end, or when the window could have detected
   *     nothing
   * @param details a sentence for people: estimates, evidence, why this verdict
   */
  public record MetricState(
      String name,
      Verdict verdict,
      Integer failedAtInterval,
      long baselineSize,
      long canarySize,
      long baselineEvents,
      long canaryEvents,
      int intervalsMissing,
      boolean lastMissing,
      double maxLogEvidence,
      List<Evidence> evidence,
      Double finalPValue,
      Double detectable,
      String details) {

    public MetricState {
      evidence = List.copyOf(evidence);
    }

    /** This state with another verdict and its explanation. */
    MetricState judged(
        Verdict verdict,
        Integer failedAtInterval,
        Double finalPValue,
        Double detectable,
        String details) {
      return new MetricState(
          name,
          verdict,
          failedAtInterval,
          baselineSize,
          canarySize,
          baselineEvents,
          canaryEvents,
          intervalsMissing,
          lastMissing,
          maxLogEvidence,
          evidence,
          finalPValue,
          detectable,
          details);
    }

    /** The always-valid p-value: the chance of evidence this strong if the canary were fine. */
    public double pValue() {
      return Math.min(1, Math.exp(-maxLogEvidence));
    }
  }

  /**
   * One sequential test's running statistics. Binomial tests keep one log likelihood ratio per
   * alternative of their mixture — {@link Evidence#ODDS_RATIOS} for {@link Test#RATE} and {@link
   * Test#TAIL}, {@link Evidence#SIGN_ODDS_RATIOS} for {@link Test#SIGN}; the rank test ({@link
   * Test#LOCATION}) keeps a score and its information.
   *
   * @param test which test
   * @param increase true when it looks for the canary being higher, false for lower
   * @param logRatios binomial tests: log likelihood ratio of each alternative against the null
   * @param score rank test: Σ (U/(n_c n_b) − ½) / v over intervals, v its null variance
   * @param information rank test: Σ 1/v
   * @param successes binomial tests: the events on the regression side so far
   * @param trials binomial tests: the events of both groups so far
   * @param expected binomial tests: the events on the regression side expected at the allowance
   */
  public record Evidence(
      Test test,
      boolean increase,
      List<Double> logRatios,
      double score,
      double information,
      double successes,
      double trials,
      double expected) {

    /**
     * The alternatives of the rate and tail tests (counts of rare events: errors, samples in the
     * tail), as multiples of the null odds — of the allowance, so 2 is a canary twice as bad as
     * allowed. Mixed with {@link #WEIGHTS}.
     */
    public static final List<Double> ODDS_RATIOS =
        List.of(1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0);

    /**
     * The mixing distribution over {@link #ODDS_RATIOS}, summing to 1: a prior over the regressions
     * worth catching, concentrated where a canary's few minutes of rare events decide — 70% on ×1.5
     * to ×2.5, 16% on ×3 to ×4, 9% on ×6 and ×10, 5% on ×1.25. An alternative of weight w costs
     * log(1/w) nats of evidence when it is the truth, and those nats are dear only where evidence
     * is scarce. A canary six or more times worse than allowed gains several nats per interval, so
     * its small weight costs it at most about one interval; ×1.25 needs ten times the data of ×2
     * (the information grows with (log r)²), more than a canary usually has, so weight on it buys
     * little. The mass goes where detection within the analysis is in doubt, near ×2, and the grid
     * is fine there so the nearest alternative is close to the truth.
     */
    public static final List<Double> WEIGHTS =
        List.of(0.05, 0.15, 0.20, 0.20, 0.15, 0.10, 0.06, 0.05, 0.04);

    /**
     * The alternatives of the sign test (value metrics), equally weighted: multiples of the null
     * odds of 1, so 10 is a canary beyond the allowance in 10 of 11 intervals. A value metric's
     * regression is often consistent (odds far above 1) and each interval adds at most log 2 nats,
     * so the mixture keeps weight on the large multiples.
     */
    public static final List<Double> SIGN_ODDS_RATIOS = List.of(1.2, 1.5, 2.0, 3.0, 5.0, 10.0);

    public Evidence {
      logRatios = List.copyOf(logRatios);
    }

    /** The alternatives of a binomial test; empty for the rank test. */
    static List<Double> oddsRatios(Test test) {
      return switch (test) {
        case RATE, TAIL, WIDE_TAIL -> ODDS_RATIOS;
        case SIGN -> SIGN_ODDS_RATIOS;
        case LOCATION -> List.of();
      };
    }

    /** No evidence yet. */
    static Evidence none(Test test, boolean increase) {
      List<Double> zeros = Collections.nCopies(oddsRatios(test).size(), 0.0);
      return new Evidence(test, increase, zeros, 0, 0, 0, 0, 0);
    }
  }

  /** The sequential tests. */
  public enum Test {
    /** Ratio metrics: the canary's share of all events, given each group's total. */
    RATE,
    /** Samples: stratified Mann-Whitney (the canary above the baseline's allowance). */
    LOCATION,
    /** Samples: the canary's share of the pooled tail beyond the quantile. */
    TAIL,
    /**
     * Samples: the canary's share of the pooled tail beyond a wider quantile ({@code 1 − 5(1 −
     * quantile)}: the p95 for the p99).
     */
    WIDE_TAIL,
    /** Values: intervals in which the canary was beyond the baseline's allowance. */
    SIGN
  }
}
