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
 * @param canarySlowShare the share of the canary's requests made {@code canarySlowFactor} times
 *     slower (a tail of slow requests, the median almost unchanged)
 * @param canarySlowFactor how much slower those requests are
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
    double canarySigmaExtra,
    double canarySlowShare,
    double canarySlowFactor) {

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
    P99_25PCT,
    /** Three times the errors on a 5% canary at 20–50 requests/s (rare but large). */
    ERRORS_3X_LOW,
    /** Five times the errors on a 5% canary at 20–50 requests/s. */
    ERRORS_5X_LOW,
    /**
     * 5% of the canary's requests six times slower, the median almost unchanged (5%, 20–50 rps).
     */
    TAIL_6X,
    /** Twice the log-scale spread of response times, the median unchanged (5%, 20–50 rps). */
    SPREAD_2X;

    public boolean bad() {
      return this != GOOD && this != GOOD_HARMLESS;
    }

    /** The key of its detection rate in a {@code BENCH judge} line. */
    public String key() {
      return switch (this) {
        case GOOD, GOOD_HARMLESS -> "fpr";
        case ERRORS_2X -> "detect_err2x";
        case P99_25PCT -> "detect_p99_25pct";
        case ERRORS_3X_LOW -> "detect_err3x_low";
        case ERRORS_5X_LOW -> "detect_err5x_low";
        case TAIL_6X -> "detect_tail6x";
        case SPREAD_2X -> "detect_spread2x";
      };
    }

    /** Whether it is an error regression (an errors oracle applies). */
    public boolean errors() {
      return this == ERRORS_2X || this == ERRORS_3X_LOW || this == ERRORS_5X_LOW;
    }
  }

  /**
   * The extra log-scale spread that makes the p99 {@code factor} times larger, median unchanged.
   */
  static double sigmaExtraForP99(double factor) {
    return Math.log(factor) / Z99;
  }
}
