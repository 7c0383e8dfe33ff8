package dev.sluice.activities.analysis;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.analysis.ThresholdJudge.Judgement;
import dev.sluice.activities.analysis.ThresholdJudge.Window;
import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.ports.MetricProvider.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The threshold judge's windows, read through a {@link MetricProvider} like every other metric: a
 * group's failed requests out of its requests (metric {@value #ERRORS}, a ratio) and their mean
 * response time in milliseconds (metric {@value #LATENCY}, a value) over the window that ends now.
 * How a provider gets these (HAProxy's counters, read as differences) is its own business.
 */
final class ThresholdWindows {

  /** The ratio metric asked for: failed requests out of requests. */
  static final String ERRORS = "errors";

  /** The value metric asked for: the mean response time, in milliseconds. */
  static final String LATENCY = "latency";

  private ThresholdWindows() {}

  /**
   * A group of targets as queries name it.
   *
   * @param name {@code canary}, {@code baseline} or {@code live}
   * @param version the version it runs, when known
   */
  record Group(String name, List<Target> targets, String service, String version) {}

  /**
   * One group's window, or why there is none.
   *
   * @param window the window; {@code null} when {@code missing} says why not
   */
  record Reading(Window window, String missing) {}

  /**
   * The group's window. A group without targets is an empty window (no requests, no response time);
   * a provider without data or with an error for the errors metric is no window, so the judgement
   * is inconclusive rather than made on nothing. A response time the provider cannot give is -1,
   * which the judge does not compare.
   *
   * @throws io.temporal.failure.ApplicationFailure (non-retryable) when the provider reports a
   *     configuration error
   */
  static Reading read(MetricProvider provider, Group group, Duration window) {
    if (group.targets().isEmpty()) {
      return new Reading(new Window(0, 0, -1), null);
    }
    Sample errors = fetch(provider, group, ERRORS, Kind.RATIO, window);
    if (errors.status() != Status.OK) {
      return new Reading(null, group.name() + ": no data (" + errors.detail() + ")");
    }
    Sample latency = fetch(provider, group, LATENCY, Kind.VALUE, window);
    long avgMillis =
        latency.status() == Status.OK && Double.isFinite(latency.value())
            ? Math.round(latency.value())
            : -1;
    return new Reading(new Window(errors.total(), errors.events(), avgMillis), null);
  }

  private static Sample fetch(
      MetricProvider provider, Group group, String metric, Kind kind, Duration window) {
    Sample sample;
    try {
      sample =
          provider.fetch(
              new Query(
                  metric,
                  kind,
                  group.name(),
                  group.targets(),
                  group.service(),
                  group.version(),
                  window));
    } catch (ConfigurationException e) {
      throw SequentialWatch.configuration(e.getMessage(), e);
    } catch (RuntimeException e) {
      // Providers answer errors as data; one that throws anyway is treated the same way.
      return Sample.error(String.valueOf(e.getMessage()));
    }
    return sample == null ? Sample.error("the provider answered nothing") : sample;
  }

  /**
   * A threshold-judged interval as analysis points: the error rate and the mean response time of
   * the watched group and of its baseline, each with its limit and the window's judgement.
   *
   * @param watched the canary's (or live pool's) window; null when it had no data
   * @param baseline the baseline's window; null without one or without data
   * @param latencyLimit the mean response time at which it fails, when one applies
   */
  static List<AnalysisPoint> points(
      String kind,
      int interval,
      Window watched,
      Window baseline,
      double maxErrorRate,
      Double latencyLimit,
      Judgement judgement) {
    Instant at = Instant.ofEpochMilli(System.currentTimeMillis());
    return List.of(
        new AnalysisPoint(
            null,
            kind,
            interval,
            at,
            ERRORS,
            "rate",
            rate(watched),
            rate(baseline),
            null,
            maxErrorRate,
            judgement.verdict(),
            judgement.reason(),
            baseline == null ? null : requests(watched),
            baseline == null ? null : requests(baseline)),
        new AnalysisPoint(
            null,
            kind,
            interval,
            at,
            LATENCY,
            "mean-ms",
            millis(watched),
            millis(baseline),
            null,
            latencyLimit,
            judgement.verdict(),
            judgement.reason()));
  }

  /**
   * The requests a window counted (0 without data), for the actual weight; asked only when a
   * baseline was measured (a pool watched alone has no share to show).
   */
  private static long requests(Window window) {
    return window == null ? 0L : window.requests();
  }

  private static Double rate(Window window) {
    return window == null || window.requests() == 0 ? null : window.errorRate();
  }

  private static Double millis(Window window) {
    return window == null || window.avgMillis() < 0 ? null : (double) window.avgMillis();
  }
}
