package dev.sluice.bench.judge;

/**
 * Naive fixed ratios, checked on each interval's window (as {@code ThresholdJudge} does): fail if
 * the canary's error rate is above 5%, or above 1% and 1.5× the baseline's; or if its p99 is 1.3×
 * the baseline's. Windows with fewer than 20 canary requests are skipped, and response times need
 * 50.
 */
public final class NaiveJudge implements LiveJudge {

  static final double ERROR_RATIO = 1.5;
  static final double LATENCY_RATIO = 1.3;
  static final double ERROR_CEILING = 0.05;
  static final double ERROR_FLOOR = 0.01;
  static final long MIN_REQUESTS = 20;
  static final long LATENCY_MIN_REQUESTS = 50;

  @Override
  public boolean fails(Interval d) {
    if (d.canaryRequests() < MIN_REQUESTS) {
      return false;
    }
    double canary = (double) d.canaryErrors() / d.canaryRequests();
    double baseline =
        d.baselineRequests() == 0 ? 0 : (double) d.baselineErrors() / d.baselineRequests();
    if (canary > ERROR_CEILING || (canary > ERROR_FLOOR && canary > ERROR_RATIO * baseline)) {
      return true;
    }
    return d.canaryRequests() >= LATENCY_MIN_REQUESTS
        && d.baselineLatency().length > 0
        && Interval.quantile(d.canaryLatency(), 0.99)
            > LATENCY_RATIO * Interval.quantile(d.baselineLatency(), 0.99);
  }
}
