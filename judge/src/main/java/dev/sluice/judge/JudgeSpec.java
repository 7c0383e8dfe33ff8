package dev.sluice.judge;

import java.util.List;
import java.util.Locale;

/**
 * What the judge compares and how strictly: the metrics in a fixed order and one false-failure
 * budget for all of them.
 *
 * @param alpha the probability that a canary as good as its baseline is ever failed, however many
 *     intervals are checked and however many metrics there are: each metric gets a share of it in
 *     proportion to its {@link MetricSpec#weight() weight} (a weighted Bonferroni split: the shares
 *     add up to {@code alpha}), and spends it on a test valid under continuous monitoring and a one
 *     look at the end of the analysis
 * @param metrics one or more metrics, in the order their observations arrive
 */
public record JudgeSpec(double alpha, List<MetricSpec> metrics) {

  /** The default false-failure budget. */
  public static final double DEFAULT_ALPHA = 0.01;

  /** The default allowed relative change of every metric (the canary may be 5% worse). */
  public static final double DEFAULT_ALLOWED_CHANGE = 0.05;

  /** The default tail of a samples metric: the slowest 1% (p99). */
  public static final double DEFAULT_QUANTILE = 0.99;

  /**
   * The weight of a critical metric in the split of {@link #alpha}, against 1 for a non-critical
   * one: a critical metric rolls the canary back the moment it fails, so power spent there buys the
   * most.
   */
  public static final double CRITICAL_WEIGHT = 2;

  /**
   * The share of a metric's α kept for the one look at the end of the analysis; the rest is its
   * always-valid test's, checked after every interval.
   */
  public static final double FINAL_LOOK_SHARE = 0.5;

  public JudgeSpec {
    metrics = List.copyOf(metrics);
  }

  /** The share of {@link #alpha} metric {@code i} may spend: α·wᵢ / Σ w. */
  public double alphaOf(int i) {
    double total = metrics.stream().mapToDouble(MetricSpec::weight).sum();
    return alpha * metrics.get(i).weight() / total;
  }

  /**
   * The always-valid p-value at or below which metric {@code i} fails at any interval: its α less
   * the final look's share.
   */
  public double sequentialAlpha(int i) {
    return (1 - FINAL_LOOK_SHARE) * alphaOf(i);
  }

  /** The one-look p-value at or below which metric {@code i} fails at the end of the analysis. */
  public double finalAlpha(int i) {
    return FINAL_LOOK_SHARE * alphaOf(i);
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

    /** Its weight in the split of the spec's α: {@link #CRITICAL_WEIGHT} when critical, else 1. */
    public double weight() {
      return critical ? CRITICAL_WEIGHT : 1;
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
