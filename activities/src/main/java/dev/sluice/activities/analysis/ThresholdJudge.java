package dev.sluice.activities.analysis;

import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.Verdict;
import java.util.Locale;

/**
 * The threshold canary check as pure code: the canary's window against the stable servers' window
 * of the same time. No I/O, no clock: given the same windows, the same verdict.
 */
public final class ThresholdJudge {

  /**
   * Response-time differences below this are noise, whatever the ratio says: a router's counters
   * may be coarse (HAProxy reports whole milliseconds of a moving average, and recovering a short
   * window's mean from two readings magnifies that rounding; see the haproxy-stats provider).
   */
  static final long LATENCY_NOISE_MS = 25;

  /**
   * Fewer responses than this in a window say too little about response time (with HAProxy, each
   * one moves its whole-millisecond average too little to read back precisely).
   */
  static final int LATENCY_MIN_REQUESTS = 50;

  private ThresholdJudge() {}

  /**
   * Requests, failed requests and mean response time in ms (-1: unknown) of a group of servers over
   * one window.
   */
  public record Window(long requests, long errors, long avgMillis) {
    public double errorRate() {
      return requests == 0 ? 0 : (double) errors / requests;
    }
  }

  /** A verdict and why. */
  public record Judgement(Verdict verdict, String reason) {}

  public static Judgement judge(Window canary, Window stable, AnalysisSpec spec) {
    if (canary.requests() < spec.minRequests()) {
      return new Judgement(
          Verdict.INCONCLUSIVE,
          "canary answered " + canary.requests() + " requests, fewer than " + spec.minRequests());
    }
    double canaryRate = canary.errorRate();
    double stableRate = stable.errorRate();
    if (canaryRate > spec.maxErrorRate()) {
      return new Judgement(
          Verdict.FAIL,
          "canary error rate "
              + pct(canaryRate)
              + " above the ceiling "
              + pct(spec.maxErrorRate()));
    }
    if (canaryRate > spec.errorRateFloor() && canaryRate > stableRate * spec.maxErrorRatio()) {
      return new Judgement(
          Verdict.FAIL,
          "canary error rate "
              + pct(canaryRate)
              + " is more than "
              + spec.maxErrorRatio()
              + "× stable's "
              + pct(stableRate));
    }
    if (canary.requests() >= LATENCY_MIN_REQUESTS
        && stable.requests() >= LATENCY_MIN_REQUESTS
        && stable.avgMillis() >= 0
        && canary.avgMillis() - stable.avgMillis() > LATENCY_NOISE_MS
        && canary.avgMillis() > stable.avgMillis() * spec.maxLatencyRatio()) {
      return new Judgement(
          Verdict.FAIL,
          "canary response time "
              + canary.avgMillis()
              + " ms is more than "
              + spec.maxLatencyRatio()
              + "× stable's "
              + stable.avgMillis()
              + " ms");
    }
    return new Judgement(
        Verdict.PASS,
        "canary "
            + pct(canaryRate)
            + " errors, "
            + canary.avgMillis()
            + " ms; stable "
            + pct(stableRate)
            + ", "
            + stable.avgMillis()
            + " ms");
  }

  /** The blue-green warm-up watch: absolute thresholds on the new pool alone. */
  public static Judgement warmUp(
      Window live, double maxErrorRate, long maxLatencyMs, int minRequests) {
    if (live.requests() < minRequests) {
      return new Judgement(
          Verdict.INCONCLUSIVE,
          "new pool answered " + live.requests() + " requests, fewer than " + minRequests);
    }
    if (live.errorRate() >= maxErrorRate) {
      return new Judgement(
          Verdict.FAIL,
          "new pool error rate " + pct(live.errorRate()) + " not below " + pct(maxErrorRate));
    }
    if (live.requests() >= LATENCY_MIN_REQUESTS && live.avgMillis() >= maxLatencyMs) {
      return new Judgement(
          Verdict.FAIL,
          "new pool response time " + live.avgMillis() + " ms not below " + maxLatencyMs + " ms");
    }
    return new Judgement(
        Verdict.PASS, "new pool " + pct(live.errorRate()) + " errors, " + live.avgMillis() + " ms");
  }

  static String pct(double rate) {
    return String.format(Locale.ROOT, "%.2f%%", rate * 100);
  }
}
