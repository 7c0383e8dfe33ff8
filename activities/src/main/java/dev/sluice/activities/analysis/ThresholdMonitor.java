package dev.sluice.activities.analysis;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.AutoRollbackSpec.Threshold;
import dev.sluice.model.MetricCheck;
import dev.sluice.model.Verdict;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.ports.MetricProvider.Status;
import dev.sluice.workflows.activities.AnalysisActivities.MonitorCall;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Post-deploy monitoring (auto-rollback): every interval for the window, each ceiling is checked on
 * the new version's targets (group {@code live}); the first breach ends the watch with FAIL, and
 * the workflow rolls back. Absolute thresholds, because after a full rollout no baseline serves
 * beside the new version. A ceiling on a metric the service does not have (the default CPU ceiling
 * on HAProxy's counters) is skipped and said so; an interval without data, or with fewer than
 * {@code minRequests} requests for a ratio, is not judged, never taken as a breach.
 */
final class ThresholdMonitor {

  /** What survives a worker crash: when the window began, checks so far, the latest reading. */
  record Progress(long startedAtMillis, int checks, int withoutData, String last) {}

  /** One ceiling with the metric it applies to. */
  record Ceiling(Threshold threshold, MetricCheck metric, double max) {}

  private final ProviderRegistry providers;
  private final AnalysisEvidence points;
  private final WatchClock clock;

  ThresholdMonitor(ProviderRegistry providers, AnalysisEvidence points, WatchClock clock) {
    this.providers = providers;
    this.points = points;
    this.clock = clock;
  }

  AnalysisResult monitor(MonitorCall call, ActivityExecutionContext context) {
    AutoRollbackSpec spec = call.spec().orElse(AutoRollbackSpec.DEFAULT);
    List<String> skipped = new ArrayList<>();
    List<Ceiling> ceilings = ceilings(spec, call.analysis().effectiveMetrics(), skipped);
    String skippedNote = skipped.isEmpty() ? "" : " (no such metric, skipped: " + skipped + ")";
    if (ceilings.isEmpty()) {
      return new AnalysisResult(
          Verdict.INCONCLUSIVE, 0, 0, "no ceiling applies to the service's metrics" + skippedNote);
    }
    MetricProvider provider = SequentialWatch.provider(providers, call.analysis(), call.router());
    Progress progress = resume(context);
    long deadline =
        AnalysisActivitiesImpl.deadline(
            progress.startedAtMillis(),
            progress.checks(),
            spec.window(),
            spec.interval(),
            clock.millis());
    Progress first = progress;
    // The first reading starts the window.
    fetchAll(provider, call, ceilings, spec, () -> context.heartbeat(first));
    while (clock.millis() < deadline) {
      AnalysisActivitiesImpl.waitUntil(
          clock,
          Math.min(deadline, clock.millis() + spec.interval().toMillis()),
          context,
          progress);
      Progress current = progress;
      List<Reading> readings =
          fetchAll(provider, call, ceilings, spec, () -> context.heartbeat(current));
      points.record(context, call.deploymentId(), points(progress.checks(), readings));
      boolean judged = readings.stream().anyMatch(r -> r.value() != null);
      String described = describe(readings);
      progress =
          new Progress(
              progress.startedAtMillis(),
              progress.checks() + 1,
              progress.withoutData() + (judged ? 0 : 1),
              described);
      context.heartbeat(progress);
      Optional<Reading> breach = readings.stream().filter(Reading::breached).findFirst();
      if (breach.isPresent()) {
        return new AnalysisResult(
            Verdict.FAIL,
            progress.checks(),
            progress.withoutData(),
            breach.get().text() + " (check " + progress.checks() + ")" + skippedNote);
      }
    }
    boolean anyData = progress.checks() > progress.withoutData();
    return new AnalysisResult(
        anyData ? Verdict.PASS : Verdict.INCONCLUSIVE,
        progress.checks(),
        progress.withoutData(),
        (anyData
                ? "every ceiling held; last check: " + progress.last()
                : "no check had data" + (progress.last() == null ? "" : ": " + progress.last()))
            + skippedNote);
  }

  /** The spec's ceilings on metrics the service has, each in the metric's own unit. */
  static List<Ceiling> ceilings(
      AutoRollbackSpec spec, List<MetricCheck> metrics, List<String> skipped) {
    List<Ceiling> ceilings = new ArrayList<>();
    for (Threshold threshold : spec.thresholds()) {
      Optional<MetricCheck> metric =
          metrics.stream().filter(m -> m.name().equals(threshold.metric())).findFirst();
      if (metric.isEmpty()) {
        skipped.add(threshold.metric());
        continue;
      }
      MetricCheck m = metric.get();
      double max =
          MetricCheck.RATIO.equals(m.type())
              ? threshold.max()
              : m.inUnit(threshold.max(), threshold.unit() == null ? "ms" : threshold.unit());
      ceilings.add(new Ceiling(threshold, m, max));
    }
    return ceilings;
  }

  /** A check's readings as analysis points: each metric against its ceiling. */
  private List<AnalysisPoint> points(int interval, List<Reading> readings) {
    Instant at = Instant.ofEpochMilli(clock.millis());
    return readings.stream()
        .map(
            r ->
                new AnalysisPoint(
                    null,
                    AnalysisPoint.MONITOR,
                    interval,
                    at,
                    r.ceiling().metric().name(),
                    MetricCheck.RATIO.equals(r.ceiling().metric().type()) ? "rate" : "value",
                    r.value(),
                    null,
                    null,
                    r.ceiling().max(),
                    r.breached()
                        ? Verdict.FAIL
                        : r.value() == null ? Verdict.INCONCLUSIVE : Verdict.PASS,
                    r.text()))
        .toList();
  }

  /** One ceiling's reading: the measured value (null: not judged) and what it means. */
  record Reading(Ceiling ceiling, Double value, boolean breached, String text) {}

  private static List<Reading> fetchAll(
      MetricProvider provider,
      MonitorCall call,
      List<Ceiling> ceilings,
      AutoRollbackSpec spec,
      Runnable heartbeat) {
    List<Reading> readings = new ArrayList<>();
    for (Ceiling ceiling : ceilings) {
      heartbeat.run();
      readings.add(read(provider, call, ceiling, spec));
    }
    return readings;
  }

  static Reading read(
      MetricProvider provider, MonitorCall call, Ceiling ceiling, AutoRollbackSpec spec) {
    MetricCheck metric = ceiling.metric();
    Kind kind = Kind.ofType(metric.type());
    String name = metric.name();
    Sample sample;
    try {
      sample =
          provider.fetch(
              new Query(
                  name,
                  kind,
                  "live",
                  call.targets(),
                  call.service(),
                  call.version(),
                  spec.interval()));
    } catch (ConfigurationException e) {
      throw SequentialWatch.configuration(e.getMessage(), e);
    } catch (RuntimeException e) {
      return new Reading(ceiling, null, false, name + ": no data (" + e.getMessage() + ")");
    }
    if (sample == null || sample.status() != Status.OK) {
      return new Reading(
          ceiling,
          null,
          false,
          name + ": no data" + (sample == null ? "" : " (" + sample.detail() + ")"));
    }
    double max = ceiling.max();
    switch (kind) {
      case RATIO -> {
        if (sample.total() < spec.minRequests()) {
          return new Reading(
              ceiling,
              null,
              false,
              name + ": " + sample.total() + " requests, fewer than " + spec.minRequests());
        }
        double rate = (double) sample.events() / sample.total();
        boolean breached = rate > max;
        return new Reading(
            ceiling,
            rate,
            breached,
            String.format(
                Locale.ROOT,
                "%s %.2f%% (%d/%d) %s the %.2f%% ceiling",
                name,
                100 * rate,
                sample.events(),
                sample.total(),
                breached ? "above" : "within",
                100 * max));
      }
      case SAMPLES -> {
        List<Double> values = sample.values().stream().filter(Double::isFinite).toList();
        if (values.size() < spec.minRequests()) {
          // A p99 over a handful of samples is just the slowest of them.
          return new Reading(
              ceiling,
              null,
              false,
              name + ": " + values.size() + " samples, fewer than " + spec.minRequests());
        }
        double q = ceiling.threshold().quantile() != null ? ceiling.threshold().quantile() : 0.99;
        double value = quantile(values, q);
        boolean breached = value > max;
        return new Reading(
            ceiling,
            value,
            breached,
            String.format(
                Locale.ROOT,
                "%s p%s %.4g %s %s the ceiling %.4g",
                name,
                trim(q * 100),
                value,
                unit(metric),
                breached ? "above" : "within",
                max));
      }
      case VALUE -> {
        double value = sample.value();
        if (!Double.isFinite(value)) {
          return new Reading(ceiling, null, false, name + ": no value (" + value + ")");
        }
        boolean breached = value > max;
        return new Reading(
            ceiling,
            value,
            breached,
            String.format(
                Locale.ROOT,
                "%s %.4g %s %s the ceiling %.4g",
                name,
                value,
                unit(metric),
                breached ? "above" : "within",
                max));
      }
    }
    throw new IllegalStateException("unknown kind " + kind);
  }

  private static String describe(List<Reading> readings) {
    return String.join("; ", readings.stream().map(Reading::text).toList());
  }

  private static String unit(MetricCheck metric) {
    return metric.unit() == null ? "ms" : metric.unit();
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** The {@code q} quantile of {@code values}, by the nearest-rank method. */
  static double quantile(List<Double> values, double q) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  private Progress resume(ActivityExecutionContext context) {
    try {
      return context
          .getHeartbeatDetails(Progress.class)
          .orElse(new Progress(clock.millis(), 0, 0, null));
    } catch (RuntimeException unreadable) {
      return new Progress(clock.millis(), 0, 0, null);
    }
  }
}
