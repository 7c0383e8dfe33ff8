package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One metric a canary is judged on, and where the service's metric provider finds it (by {@code
 * name}: for Prometheus, the name of a query template in the provider's settings). Nulls take the
 * defaults of the metric's type.
 *
 * @param name unique within the service
 * @param type {@code ratio} (events out of a total: errors out of requests), {@code samples}
 *     (individual observations: response times from a histogram) or {@code value} (one figure per
 *     interval: a business metric, CPU, an average)
 * @param direction which change is a regression: {@code increase} (default), {@code decrease},
 *     {@code either}
 * @param critical a critical metric's failure fails the canary at once (default: true for {@code
 *     ratio}, false otherwise)
 * @param allowedChange the relative change against the baseline that still passes (default 0.05)
 * @param minSamples requests, samples or intervals each group needs before a verdict
 * @param quantile {@code samples} only: the tail watched besides the location (default 0.99)
 * @param unit the unit of the metric's numbers, for absolute thresholds: {@code ms} (default),
 *     {@code s}, {@code ratio}, or anything else (then thresholds are taken as written)
 * @param tolerance {@code samples} and {@code value} only: an absolute difference, in the metric's
 *     unit, that never counts as a regression on top of {@code allowedChange} — for figures whose
 *     resolution or warm-up noise is coarser than the allowance (HAProxy's mean response time is
 *     whole milliseconds, and remembers a new server's JIT warm-up for its next 1024 responses);
 *     default 0
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetricCheck(
    String name,
    String type,
    String direction,
    Boolean critical,
    Double allowedChange,
    Long minSamples,
    Double quantile,
    String unit,
    Double tolerance) {

  public static final String RATIO = "ratio";
  public static final String SAMPLES = "samples";
  public static final String VALUE = "value";

  public static MetricCheck of(String name, String type) {
    return new MetricCheck(name, type, null, null, null, null, null, null, null);
  }

  public MetricCheck withCritical(boolean critical) {
    return new MetricCheck(
        name, type, direction, critical, allowedChange, minSamples, quantile, unit, tolerance);
  }

  public MetricCheck withUnit(String unit) {
    return new MetricCheck(
        name, type, direction, critical, allowedChange, minSamples, quantile, unit, tolerance);
  }

  public MetricCheck withAllowedChange(double allowedChange) {
    return new MetricCheck(
        name, type, direction, critical, allowedChange, minSamples, quantile, unit, tolerance);
  }

  public MetricCheck withTolerance(double tolerance) {
    return new MetricCheck(
        name, type, direction, critical, allowedChange, minSamples, quantile, unit, tolerance);
  }

  /** The absolute tolerance, 0 when none. */
  public double effectiveTolerance() {
    return tolerance == null ? 0 : tolerance;
  }

  /** Whether a failure of this metric fails the canary at once. */
  public boolean isCritical() {
    return critical != null ? critical : RATIO.equals(type);
  }

  /** {@code value} expressed in this metric's unit, {@code value} being in {@code valueUnit}. */
  public double inUnit(double value, String valueUnit) {
    String mine = unit == null ? "ms" : unit;
    if (mine.equals(valueUnit)) {
      return value;
    }
    if ("ms".equals(valueUnit) && "s".equals(mine)) {
      return value / 1000;
    }
    if ("s".equals(valueUnit) && "ms".equals(mine)) {
      return value * 1000;
    }
    return value;
  }
}
