package dev.sluice.ports;

import dev.sluice.model.Target;
import java.time.Duration;
import java.util.List;

/**
 * Port to where metrics live (HAProxy's counters, Prometheus, CloudWatch). Providers only fetch;
 * the judge decides. A provider error or an empty result is data ({@link Status#ERROR}, {@link
 * Status#NO_DATA}), never an exception: a metrics outage must make an analysis inconclusive, not
 * crash or pass it. Only settings no retry can fix are thrown (as configuration errors).
 */
public interface MetricProvider {

  /**
   * One metric for one group of targets over the window that ends now.
   *
   * @return never {@code null}
   */
  Sample fetch(Query query);

  /**
   * Why this provider cannot serve a metric of this name and kind, as far as its settings tell
   * without I/O (a Prometheus provider without a query for it); {@code null} when it can. Lets a
   * service definition be refused when it is written rather than when an analysis first runs. By
   * default, whatever {@link #cannotServe(Kind)} says.
   */
  default String cannotServe(String metric, Kind kind) {
    return cannotServe(kind);
  }

  /**
   * Why this provider can serve no metric of this kind at all, whatever its settings and the
   * metric's name (a source that keeps only averages has no {@link Kind#SAMPLES}); {@code null}
   * when it can. Answered without I/O.
   */
  default String cannotServe(Kind kind) {
    return null;
  }

  /**
   * Why this provider cannot tell a feature flag's cohorts apart (users on the variant from the
   * others, queried as groups {@code canary} and {@code baseline} of the same targets), as a flag
   * rollout that compares cohorts needs; {@code null} when its metrics can be labelled by cohort.
   * Answered without I/O.
   */
  default String cannotCompareCohorts() {
    return null;
  }

  /**
   * The shortest window this provider's data can answer: zero for live counters, a minute for
   * per-minute data. A watch reads no shorter windows.
   */
  default Duration resolution() {
    return Duration.ZERO;
  }

  /**
   * How long after a moment this provider's data about it is complete: zero for live counters;
   * CloudWatch publishes a minute a minute or two late. A watch runs this much past its end.
   */
  default Duration delay() {
    return Duration.ZERO;
  }

  /** What a metric measures, which decides the shape of its sample. */
  enum Kind {
    /** A count of events out of a total (errors out of requests): {@code events}, {@code total}. */
    RATIO,
    /** Individual observations (response times): {@code values}. */
    SAMPLES,
    /** One number (a business metric such as conversions per request): {@code value}. */
    VALUE;

    /**
     * The kind of a metric of this {@code type} in a service definition ({@code value} if none).
     */
    public static Kind ofType(String type) {
      return switch (type == null ? "" : type) {
        case "ratio" -> RATIO;
        case "samples" -> SAMPLES;
        default -> VALUE;
      };
    }
  }

  enum Status {
    OK,
    NO_DATA,
    ERROR
  }

  /**
   * @param metric the metric's name as the service definition configures it
   * @param group {@code canary} or {@code baseline} (or {@code live}), substituted into queries
   * @param targets the group's targets, for providers that filter by instance
   * @param service the service's name
   * @param version the version the group runs
   * @param window how far back the sample looks
   */
  record Query(
      String metric,
      Kind kind,
      String group,
      List<Target> targets,
      String service,
      String version,
      Duration window) {}

  /**
   * A fetched sample; fields that do not apply to the metric's kind are 0 or empty.
   *
   * @param detail why there is no data, or the query that was run
   */
  record Sample(
      Status status, long events, long total, List<Double> values, double value, String detail) {

    public static Sample noData(String why) {
      return new Sample(Status.NO_DATA, 0, 0, List.of(), 0, why);
    }

    public static Sample error(String why) {
      return new Sample(Status.ERROR, 0, 0, List.of(), 0, why);
    }

    public static Sample ratio(long events, long total, String detail) {
      return new Sample(Status.OK, events, total, List.of(), 0, detail);
    }

    public static Sample samples(List<Double> values, String detail) {
      return new Sample(Status.OK, 0, 0, List.copyOf(values), 0, detail);
    }

    public static Sample value(double value, String detail) {
      return new Sample(Status.OK, 0, 0, List.of(), value, detail);
    }
  }
}
