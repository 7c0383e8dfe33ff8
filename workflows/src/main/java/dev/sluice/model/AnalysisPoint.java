package dev.sluice.model;

import java.time.Instant;

/**
 * One metric's reading in one interval of an analysis, as the judge saw it: what the canary and its
 * baseline measured, and the judge's standing after that interval. Recorded in the ledger so people
 * can see why a canary passed or failed (the dashboard's charts, the CLI's analysis table); the
 * verdict that counts is the analysis activity's result in the workflow's history.
 *
 * @param run the analysis run it belongs to: the activity's id, unique within the deployment (a
 *     step that runs again after an inconclusive analysis is a new run)
 * @param kind {@code canary} (canary against baseline), {@code warm-up} (a blue-green pool alone)
 *     or {@code monitor} (post-deploy monitoring of the new version against ceilings)
 * @param interval 0-based interval within the run
 * @param at when the interval ended
 * @param metric the metric's name
 * @param measure what {@code canary} and {@code baseline} are: {@code rate} (events out of
 *     requests), {@code median} (of the interval's samples), {@code value} or {@code mean-ms}
 * @param canary the canary's (or the watched pool's) reading; null when it had no data
 * @param baseline the baseline's reading; null without a baseline or data
 * @param pValue the sequential judge's always-valid p-value after this interval; null for the
 *     threshold judge
 * @param threshold what the metric is held to: the p-value at or below which it fails (its share of
 *     alpha), or the threshold judge's limit on {@code canary}; null when none applies
 * @param verdict the metric's verdict after this interval
 * @param details the judge's sentence: estimates, evidence, why this verdict
 * @param canaryRequests the requests the canary (or watched pool) served in the interval, for a
 *     metric that counts events out of requests; null otherwise
 * @param baselineRequests the same for the baseline: with {@code canaryRequests}, the share of
 *     traffic the canary actually took (its actual weight)
 * @param conclusion on the last interval of a sequential analysis that ran to its planned end: the
 *     judge's one look at the totals and the power the window had (the verdict and details are then
 *     the concluded ones); null on every other point
 */
public record AnalysisPoint(
    String run,
    String kind,
    int interval,
    Instant at,
    String metric,
    String measure,
    Double canary,
    Double baseline,
    Double pValue,
    Double threshold,
    Verdict verdict,
    String details,
    Long canaryRequests,
    Long baselineRequests,
    Conclusion conclusion) {

  /**
   * The sequential judge's look at the end of the analysis, for one metric.
   *
   * @param finalPValue the one-look p-value at the totals; null when the metric had failed before
   *     the end (no look was taken for it)
   * @param finalThreshold the p-value at or below which that look fails the metric (its final share
   *     of alpha); null with {@code finalPValue}
   * @param detectable the smallest regression the window could have detected with 80% power, as the
   *     canary's figure over the baseline's: for a {@code rate} the ratio of the rates, for a
   *     {@code median} (samples) the canary's share of the tail over its share of the samples, for
   *     a {@code value} the odds of an interval beyond the allowance; null when the window could
   *     detect nothing (or the metric had failed before the end)
   */
  public record Conclusion(Double finalPValue, Double finalThreshold, Double detectable) {}

  /** A point of an interval that does not end a concluded analysis. */
  public AnalysisPoint(
      String run,
      String kind,
      int interval,
      Instant at,
      String metric,
      String measure,
      Double canary,
      Double baseline,
      Double pValue,
      Double threshold,
      Verdict verdict,
      String details,
      Long canaryRequests,
      Long baselineRequests) {
    this(
        run,
        kind,
        interval,
        at,
        metric,
        measure,
        canary,
        baseline,
        pValue,
        threshold,
        verdict,
        details,
        canaryRequests,
        baselineRequests,
        null);
  }

  /** A point that counts no requests (samples, values, or no baseline). */
  public AnalysisPoint(
      String run,
      String kind,
      int interval,
      Instant at,
      String metric,
      String measure,
      Double canary,
      Double baseline,
      Double pValue,
      Double threshold,
      Verdict verdict,
      String details) {
    this(
        run, kind, interval, at, metric, measure, canary, baseline, pValue, threshold, verdict,
        details, null, null, null);
  }

  /** This point as part of analysis run {@code run}. */
  public AnalysisPoint inRun(String run) {
    return new AnalysisPoint(
        run,
        kind,
        interval,
        at,
        metric,
        measure,
        canary,
        baseline,
        pValue,
        threshold,
        verdict,
        details,
        canaryRequests,
        baselineRequests,
        conclusion);
  }

  /**
   * Whether this point ends an analysis the sequential judge concluded (see {@link #conclusion}).
   */
  public boolean concluded() {
    return conclusion != null;
  }

  /**
   * The canary's share of the requests both groups served in this interval, in percent; null when
   * the point counts no requests or neither group served any.
   */
  public Double actualWeight() {
    if (canaryRequests == null || baselineRequests == null) {
      return null;
    }
    long all = canaryRequests + baselineRequests;
    return all == 0 ? null : 100.0 * canaryRequests / all;
  }

  /** Kind of a canary's analysis against its baseline. */
  public static final String CANARY = "canary";

  /** Kind of a blue-green warm-up: the pool that took traffic, alone. */
  public static final String WARM_UP = "warm-up";

  /** Kind of post-deploy monitoring: the new version's targets against absolute ceilings. */
  public static final String MONITOR = "monitor";
}
