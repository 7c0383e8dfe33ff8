package dev.sluice.activities.analysis.judge;

import dev.sluice.model.Verdict;
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
 * @param metrics one entry per metric, in the spec's order
 */
public record JudgeState(
    int intervals,
    Verdict verdict,
    boolean decided,
    Integer decidedAtInterval,
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
      String details) {

    public MetricState {
      evidence = List.copyOf(evidence);
    }

    /** The always-valid p-value: the chance of evidence this strong if the canary were fine. */
    public double pValue() {
      return Math.min(1, Math.exp(-maxLogEvidence));
    }
  }

  /**
   * One sequential test's running statistics. Binomial tests ({@link Test#RATE}, {@link Test#TAIL},
   * {@link Test#SIGN}) keep one log likelihood ratio per alternative of {@link
   * Evidence#ODDS_RATIOS}; the rank test ({@link Test#LOCATION}) keeps a score and its information.
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
     * The alternatives of the binomial tests, as multiples of the null odds: the mixture puts equal
     * weight on each, so a canary 20% to 10× worse than allowed is found at nearly the speed of a
     * test that knew the size of the regression in advance.
     */
    public static final List<Double> ODDS_RATIOS = List.of(1.2, 1.5, 2.0, 3.0, 5.0, 10.0);

    public Evidence {
      logRatios = List.copyOf(logRatios);
    }

    /** No evidence yet. */
    static Evidence none(Test test, boolean increase) {
      List<Double> zeros =
          test == Test.LOCATION
              ? List.of()
              : java.util.Collections.nCopies(ODDS_RATIOS.size(), 0.0);
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
    /** Values: intervals in which the canary was beyond the baseline's allowance. */
    SIGN
  }
}
