package dev.sluice.model;

import java.time.Duration;

/**
 * How a canary is judged during an analysis step: every {@code interval} for {@code duration}, the
 * canary's servers are compared with the stable servers serving in the same window. Nulls take the
 * defaults of {@link #DEFAULT}.
 *
 * <p>Two judges: {@code sequential} (default) runs the service's {@link AnalysisConfig} metrics
 * through the sequential statistical judge, whose false-failure rate holds however often it looks;
 * {@code threshold} compares canary and stable with fixed ratios (error rate at most 1.5×, latency
 * at most 1.3× the stable one's) on the router's counters; the ratio and rate fields below apply to
 * it only.
 *
 * @param maxErrorRatio canary error rate may be at most this multiple of the stable one (1.5)
 * @param maxLatencyRatio canary response time may be at most this multiple of the stable one (1.3)
 * @param maxErrorRate an absolute ceiling on the canary error rate, whatever stable does (0.05)
 * @param errorRateFloor error rates at or below this count as equal, so 1 error in 1000 against 0
 *     does not fail the canary (0.01)
 * @param minRequests windows where the canary answered fewer requests are inconclusive (20)
 * @param maxInconclusive consecutive inconclusive windows after which the canary pauses for a
 *     person rather than promote on too little data (10)
 * @param judge {@code sequential} (default) or {@code threshold}
 */
public record AnalysisSpec(
    Duration duration,
    Duration interval,
    Double maxErrorRatio,
    Double maxLatencyRatio,
    Double maxErrorRate,
    Double errorRateFloor,
    Integer minRequests,
    Integer maxInconclusive,
    String judge) {

  public static final String SEQUENTIAL = "sequential";
  public static final String THRESHOLD = "threshold";

  public static final AnalysisSpec DEFAULT =
      new AnalysisSpec(
          Duration.ofMinutes(15), Duration.ofSeconds(30), 1.5, 1.3, 0.05, 0.01, 20, 10, SEQUENTIAL);

  /** A spec without a judge named: the default, {@code sequential}. */
  public AnalysisSpec(
      Duration duration,
      Duration interval,
      Double maxErrorRatio,
      Double maxLatencyRatio,
      Double maxErrorRate,
      Double errorRateFloor,
      Integer minRequests,
      Integer maxInconclusive) {
    this(
        duration,
        interval,
        maxErrorRatio,
        maxLatencyRatio,
        maxErrorRate,
        errorRateFloor,
        minRequests,
        maxInconclusive,
        null);
  }

  /** Whether this step uses the fixed-ratio thresholds rather than the sequential judge. */
  public boolean thresholdJudge() {
    return THRESHOLD.equals(judge);
  }

  /** This spec with every unset field taken from {@link #DEFAULT}. */
  public AnalysisSpec withDefaults() {
    return new AnalysisSpec(
        duration != null ? duration : DEFAULT.duration,
        interval != null ? interval : DEFAULT.interval,
        maxErrorRatio != null ? maxErrorRatio : DEFAULT.maxErrorRatio,
        maxLatencyRatio != null ? maxLatencyRatio : DEFAULT.maxLatencyRatio,
        maxErrorRate != null ? maxErrorRate : DEFAULT.maxErrorRate,
        errorRateFloor != null ? errorRateFloor : DEFAULT.errorRateFloor,
        minRequests != null ? minRequests : DEFAULT.minRequests,
        maxInconclusive != null ? maxInconclusive : DEFAULT.maxInconclusive,
        judge != null ? judge : DEFAULT.judge);
  }
}
