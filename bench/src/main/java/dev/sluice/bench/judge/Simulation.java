package dev.sluice.bench.judge;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generates a scenario's intervals one by one, deterministically from its seed. Requests are
 * Poisson around the rate; the canary's share binomial; errors binomial per request; response times
 * lognormal per request. Baseline and canary share the drift (slow waves in load, error rate and
 * latency), the per-interval noise and the occasional incident (an interval with 3× the errors and
 * 30% slower responses): only the scenario's own difference sets the canary apart.
 */
public final class Simulation {

  static final double INCIDENT_PROBABILITY = 0.03;

  private final Scenario s;
  private final SplittableRandom random;
  private final double loadPhase;
  private final double errorPhase;
  private final double errorWave;
  private final double latencyPhase;
  private final double latencyWave;
  private int interval;

  public Simulation(Scenario scenario) {
    this.s = scenario;
    this.random = new SplittableRandom(scenario.seed());
    this.loadPhase = random.nextDouble(2 * Math.PI);
    this.errorPhase = random.nextDouble(2 * Math.PI);
    this.errorWave = random.nextDouble(0, 0.5);
    this.latencyPhase = random.nextDouble(2 * Math.PI);
    this.latencyWave = random.nextDouble(0, 0.2);
  }

  /** The next interval. */
  public Interval next() {
    int k = interval++;
    boolean incident = random.nextDouble() < INCIDENT_PROBABILITY;
    double load = Math.exp(0.2 * Math.sin(2 * Math.PI * k / 40 + loadPhase));
    double mean = s.rps() * Scenario.INTERVAL_SECONDS * load;
    long requests = Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    double w = s.canaryShare();
    long canary =
        Math.max(
            0,
            Math.min(
                requests,
                Math.round(
                    requests * w + Math.sqrt(requests * w * (1 - w)) * random.nextGaussian())));
    long baseline = requests - canary;

    double errorRate =
        s.errorRate()
            * Math.exp(
                errorWave * Math.sin(2 * Math.PI * k / 30 + errorPhase)
                    + 0.3 * random.nextGaussian())
            * (incident ? 3 : 1);
    long baselineErrors = binomial(baseline, Math.min(0.5, errorRate));
    long canaryErrors = binomial(canary, Math.min(0.9, errorRate * s.errorFactor()));

    double logMedian =
        Math.log(s.medianMs())
            + latencyWave * Math.sin(2 * Math.PI * k / 50 + latencyPhase)
            + 0.05 * random.nextGaussian()
            + (incident ? Math.log(1.3) : 0);
    double[] baselineLatency = lognormal((int) baseline, logMedian, s.sigma());
    double[] canaryLatency =
        lognormal(
            (int) canary, logMedian + Math.log(s.canaryScale()), s.sigma() + s.canarySigmaExtra());
    if (s.canarySlowShare() > 0) {
      for (int i = 0; i < canaryLatency.length; i++) {
        if (random.nextDouble() < s.canarySlowShare()) {
          canaryLatency[i] *= s.canarySlowFactor();
        }
      }
      Arrays.sort(canaryLatency);
    }
    return new Interval(
        baseline, baselineErrors, canary, canaryErrors, baselineLatency, canaryLatency);
  }

  private double[] lognormal(int n, double mu, double sigma) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = Math.exp(mu + sigma * random.nextGaussian());
    }
    Arrays.sort(values);
    return values;
  }

  /** Exact binomial draw by geometric skips between successes: about n·p + 1 draws. */
  private long binomial(long n, double p) {
    if (n <= 0 || p <= 0) {
      return 0;
    }
    double logQ = Math.log1p(-p);
    long count = 0;
    long position = -1;
    while (true) {
      position += 1 + (long) Math.floor(Math.log(1 - random.nextDouble()) / logQ);
      if (position >= n) {
        return count;
      }
      count++;
    }
  }
}
