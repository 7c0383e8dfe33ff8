package dev.sluice.bench.judge;

/**
 * Not a contender but a yardstick: a fixed-horizon test that knows the horizon. It looks once, at
 * the scenario's end (10 minutes; 15 for the low-traffic cases), at the errors only: the canary's
 * share of all errors against its share of the requests, interval by interval (normal
 * approximation, one-sided, α = 1%, no allowance). No judge that may look at every interval can
 * detect more than this within the same time at the same α; what it misses, the data didn't show.
 */
public final class OracleErrorsJudge implements LiveJudge {

  /** z of 0.99. */
  static final double Z = 2.3263478740408408;

  private final int horizon;
  private int intervals;
  private double observed;
  private double expected;
  private double variance;

  public OracleErrorsJudge(int horizon) {
    this.horizon = horizon;
  }

  @Override
  public boolean fails(Interval d) {
    long requests = d.canaryRequests() + d.baselineRequests();
    if (requests > 0) {
      double share = (double) d.canaryRequests() / requests;
      double errors = d.canaryErrors() + d.baselineErrors();
      observed += d.canaryErrors();
      expected += errors * share;
      variance += errors * share * (1 - share);
    }
    return ++intervals == horizon
        && variance > 0
        && (observed - expected) / Math.sqrt(variance) > Z;
  }
}
