package dev.sluice.judge;

import java.util.List;
import java.util.Locale;

/**
 * What the judge compares and how strictly: the metrics in a fixed order and one false-failure
 * budget for all of them.
 *
 * @param alpha the probability that a canary as good as its baseline is ever failed, however many
 *     intervals are checked and however many metrics there are: each of the {@code m} metrics gets
 *     {@code alpha / m} (Bonferroni), and each metric's test is valid under continuous monitoring
 * @param metrics one or more metrics, in the order their observations arrive
 */
public record JudgeSpec(double alpha, List<MetricSpec> metrics) {

  /** The default false-failure budget. */
  public static final double DEFAULT_ALPHA = 0.01;

  /** The default allowed relative change of every metric (the canary may be 5% worse). */
  public static final double DEFAULT_ALLOWED_CHANGE = 0.05;

  /** The default tail of a samples metric: the slowest 1% (p99). */
  public static final double DEFAULT_QUANTILE = 0.99;

  public JudgeSpec {
    metrics = List.copyOf(metrics);
  }

  /** The share of {@link #alpha} one metric may spend. */
  public double alphaPerMetric() {
    return alpha / metrics.size();
  }

  /** How a metric's per-interval observations look. */
  public enum MetricType {
    /**
     * Events out of a total per group and interval (errors out of requests, conversions out of
     * visits): {@link Observation.Counts}.
     */
    RATIO(100),
    /**
     * Individual measurements per group and interval (response times of requests): {@link
     * Observation.Samples}.
     */
    SAMPLES(100),
    /**
     * One aggregate figure per group and interval (a business metric already computed by the
     * source, such as revenue per request): {@link Observation.Value}. Judged by a sign test over
     * intervals, so it needs many intervals.
     */
    VALUE(5);

    private final long defaultMinSamples;

    MetricType(long defaultMinSamples) {
      this.defaultMinSamples = defaultMinSamples;
    }

    /**
     * Requests (ratio), samples (samples) or intervals (value) each group needs before the metric
     * may pass or fail.
     */
    public long defaultMinSamples() {
      return defaultMinSamples;
    }

    /** The name in JSON: {@code ratio}, {@code samples}, {@code value}. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which change of the canary against its baseline counts as a regression. */
  public enum Direction {
    /** Higher is worse (errors, latency). */
    INCREASE,
    /** Lower is worse (conversions, throughput). */
    DECREASE,
    /** Any change beyond the allowance is a regression; the budget is split over both sides. */
    EITHER;

    boolean watchesIncrease() {
      return this != DECREASE;
    }

    boolean watchesDecrease() {
      return this != INCREASE;
    }

    /** The name in JSON: {@code increase}, {@code decrease}, {@code either}. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One metric.
   *
   * @param name unique within the spec
   * @param type the shape of its observations
   * @param direction which change is a regression
   * @param critical a critical metric's failure fails the canary at once; a non-critical one's
   *     failure is kept and fails the canary when the analysis ends
   * @param allowedChange the relative change that still counts as no regression: with 0.1 and
   *     {@code increase} the canary may be up to 10% above the baseline (rate, value or each
   *     quantile); with {@code decrease} down to 10% below
   * @param minSamples requests (ratio), samples (samples) or intervals (value) each group needs
   *     before the metric may pass or fail; evidence is collected from the first interval anyway
   * @param quantile samples only: the tail watched besides the location, e.g. 0.99 for the slowest
   *     1% (or, for {@code decrease}, the fastest 1%)
   */
  public record MetricSpec(
      String name,
      MetricType type,
      Direction direction,
      boolean critical,
      double allowedChange,
      long minSamples,
      double quantile) {

    /** A non-critical metric with the defaults of its type. */
    public static MetricSpec of(String name, MetricType type, Direction direction) {
      return new MetricSpec(
          name,
          type,
          direction,
          false,
          DEFAULT_ALLOWED_CHANGE,
          type.defaultMinSamples(),
          DEFAULT_QUANTILE);
    }

    public MetricSpec critical(boolean critical) {
      return new MetricSpec(name, type, direction, critical, allowedChange, minSamples, quantile);
    }

    public MetricSpec allowedChange(double allowedChange) {
      return new MetricSpec(name, type, direction, critical, allowedChange, minSamples, quantile);
    }

    public MetricSpec minSamples(long minSamples) {
      return new MetricSpec(name, type, direction, critical, allowedChange, minSamples, quantile);
    }

    public MetricSpec quantile(double quantile) {
      return new MetricSpec(name, type, direction, critical, allowedChange, minSamples, quantile);
    }
  }
}
