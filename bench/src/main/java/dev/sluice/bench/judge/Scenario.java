package dev.sluice.bench.judge;

/**
 * One simulated canary: a baseline and a canary serving the same traffic in 30 s intervals, with
 * noise and drift shared by both groups, and the canary's own difference (none for good releases).
 *
 * @param kind what the canary is
 * @param seed seeds everything random about it
 * @param intervals how many 30 s intervals the canary runs (checked after each)
 * @param rps requests per second, both groups together
 * @param canaryShare the canary's share of the traffic
 * @param errorRate the baseline's error rate before drift
 * @param errorFactor the canary's error rate as a multiple of the baseline's
 * @param medianMs the baseline's median response time before drift
 * @param sigma the log-scale spread of response times (lognormal)
 * @param canaryScale the canary's response times as a multiple of the baseline's (location)
 * @param canarySigmaExtra added to the canary's log-scale spread (a longer tail, same median)
 */
public record Scenario(
    Kind kind,
    long seed,
    int intervals,
    double rps,
    double canaryShare,
    double errorRate,
    double errorFactor,
    double medianMs,
    double sigma,
    double canaryScale,
    double canarySigmaExtra) {

  /** Seconds per interval (one check each). */
  public static final int INTERVAL_SECONDS = 30;

  /** z of the 99th percentile of the standard normal. */
  static final double Z99 = 2.3263478740408408;

  public enum Kind {
    /** The canary is the baseline. */
    GOOD,
    /** Harmless differences well within the allowances: errors ×1.05, latency ×1.03. */
    GOOD_HARMLESS,
    /** Twice the baseline's error rate. */
    ERRORS_2X,
    /** A longer tail: p99 +25% with the median unchanged. */
    P99_25PCT;

    boolean bad() {
      return this == ERRORS_2X || this == P99_25PCT;
    }
  }

  /**
   * The extra log-scale spread that makes the p99 {@code factor} times larger, median unchanged.
   */
  static double sigmaExtraForP99(double factor) {
    return Math.log(factor) / Z99;
  }
}
