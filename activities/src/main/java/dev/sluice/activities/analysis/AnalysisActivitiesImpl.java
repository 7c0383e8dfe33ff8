package dev.sluice.activities.analysis;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.analysis.ThresholdJudge.Judgement;
import dev.sluice.activities.analysis.ThresholdWindows.Group;
import dev.sluice.activities.analysis.ThresholdWindows.Reading;
import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Verdict;
import dev.sluice.ports.MetricProvider;
import dev.sluice.workflows.activities.AnalysisActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;

/**
 * Watches a canary with the sequential judge over the service's metrics ({@link SequentialWatch}),
 * or with fixed thresholds against the stable servers ({@code judge: threshold}) — and a freshly
 * switched blue-green pool — over the metric provider the traffic router's registration declares as
 * its default (the router's own counters; see {@link ThresholdWindows} for what is asked). A first
 * fetch before the first window starts it, because counter-based providers answer differences
 * between fetches. Progress is heartbeated after every window; a retried attempt picks it up and
 * carries on rather than starting the bake again.
 */
public final class AnalysisActivitiesImpl implements AnalysisActivities {

  /** Longest gap between heartbeats while waiting for the next window. */
  static final Duration BEAT = Duration.ofSeconds(5);

  private final ProviderRegistry providers;
  private final SequentialWatch sequential;
  private final ThresholdMonitor monitor;
  private final AnalysisEvidence points;
  private final WatchClock clock;

  /** Analysis that keeps no points: for tests and benchmarks that only want the verdicts. */
  public AnalysisActivitiesImpl(ProviderRegistry providers) {
    this(providers, AnalysisRecorder.NONE);
  }

  /**
   * @param recorder where each interval's readings and the judge's standing go (the ledger)
   */
  public AnalysisActivitiesImpl(ProviderRegistry providers, AnalysisRecorder recorder) {
    this(providers, recorder, WatchClock.SYSTEM);
  }

  /**
   * @param clock what windows are timed and waited for by ({@link WatchClock#SYSTEM} in a worker)
   */
  public AnalysisActivitiesImpl(
      ProviderRegistry providers, AnalysisRecorder recorder, WatchClock clock) {
    this.providers = providers;
    this.points = new AnalysisEvidence(recorder);
    this.clock = clock;
    this.sequential = new SequentialWatch(providers, points, clock);
    this.monitor = new ThresholdMonitor(providers, points, clock);
  }

  @Override
  public AnalysisResult monitor(MonitorCall call) {
    return monitor.monitor(call, Activity.getExecutionContext());
  }

  /** What survives a worker crash: when the bake began and how it has gone so far. */
  public record Progress(
      long startedAtMillis, int checks, int inconclusive, int inconclusiveStreak, String last) {}

  @Override
  public AnalysisResult watch(WatchCall call) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    AnalysisSpec spec = call.spec().withDefaults();
    if (call.analysis() != null && !spec.thresholdJudge()) {
      return sequential.watch(call, context);
    }
    MetricProvider metrics = routerMetrics(call.router());
    Group canary = new Group("canary", call.canary(), call.service(), call.canaryVersion());
    Group baseline = new Group("baseline", call.stable(), call.service(), call.stableVersion());
    Progress progress =
        context
            .getHeartbeatDetails(Progress.class)
            .orElse(new Progress(clock.millis(), 0, 0, 0, null));
    long deadline =
        deadline(
            progress.startedAtMillis(),
            progress.checks(),
            spec.duration(),
            spec.interval(),
            clock.millis());
    ThresholdWindows.read(metrics, canary, spec.interval());
    ThresholdWindows.read(metrics, baseline, spec.interval());
    while (clock.millis() < deadline) {
      long windowEnd = Math.min(deadline, clock.millis() + spec.interval().toMillis());
      waitUntil(clock, windowEnd, context, progress);
      Reading canaryWindow = ThresholdWindows.read(metrics, canary, spec.interval());
      Reading baselineWindow = ThresholdWindows.read(metrics, baseline, spec.interval());
      Judgement judgement =
          canaryWindow.missing() != null
              ? inconclusive(canaryWindow)
              : baselineWindow.missing() != null
                  ? inconclusive(baselineWindow)
                  : ThresholdJudge.judge(canaryWindow.window(), baselineWindow.window(), spec);
      points.record(
          context,
          ThresholdWindows.points(
              AnalysisPoint.CANARY,
              progress.checks(),
              canaryWindow.window(),
              baselineWindow.window(),
              spec.maxErrorRate(),
              baselineWindow.window() == null || baselineWindow.window().avgMillis() < 0
                  ? null
                  : baselineWindow.window().avgMillis() * spec.maxLatencyRatio(),
              judgement));
      boolean inconclusive = judgement.verdict() == Verdict.INCONCLUSIVE;
      progress =
          new Progress(
              progress.startedAtMillis(),
              progress.checks() + 1,
              progress.inconclusive() + (inconclusive ? 1 : 0),
              inconclusive ? progress.inconclusiveStreak() + 1 : 0,
              judgement.reason());
      context.heartbeat(progress);
      if (judgement.verdict() == Verdict.FAIL) {
        return new AnalysisResult(
            Verdict.FAIL, progress.checks(), progress.inconclusive(), judgement.reason());
      }
      if (progress.inconclusiveStreak() >= spec.maxInconclusive()) {
        return new AnalysisResult(
            Verdict.INCONCLUSIVE,
            progress.checks(),
            progress.inconclusive(),
            progress.inconclusiveStreak()
                + " windows in a row without enough data: "
                + judgement.reason());
      }
    }
    boolean judged = progress.checks() > progress.inconclusive();
    return new AnalysisResult(
        judged ? Verdict.PASS : Verdict.INCONCLUSIVE,
        progress.checks(),
        progress.inconclusive(),
        progress.last() == null ? "no window completed" : progress.last());
  }

  @Override
  public AnalysisResult warmUp(WarmUpCall call) {
    MetricProvider metrics = routerMetrics(call.router());
    Group live = new Group("live", call.live(), null, null);
    Duration duration = call.duration();
    // A provider whose data comes per minute and late (CloudWatch) is read in windows it can
    // answer, for as long after the warm-up as its data lags, and only in windows after the switch.
    Duration interval =
        call.interval().compareTo(metrics.resolution()) < 0
            ? metrics.resolution()
            : call.interval();
    Duration delay = metrics.delay();
    double maxErrorRate = call.thresholds().maxErrorRate();
    long maxLatencyMs = call.thresholds().maxLatencyMs();
    int minRequests = call.thresholds().minRequests();
    ActivityExecutionContext context = Activity.getExecutionContext();
    Progress progress =
        context
            .getHeartbeatDetails(Progress.class)
            .orElse(new Progress(clock.millis(), 0, 0, 0, null));
    long deadline =
        deadline(
            progress.startedAtMillis(),
            progress.checks(),
            duration.plus(delay),
            interval,
            clock.millis());
    long firstWindowDone = progress.startedAtMillis() + interval.plus(delay).toMillis();
    ThresholdWindows.read(metrics, live, interval);
    while (clock.millis() < deadline) {
      waitUntil(clock, Math.min(deadline, clock.millis() + interval.toMillis()), context, progress);
      if (clock.millis() < firstWindowDone) {
        continue;
      }
      Reading window = ThresholdWindows.read(metrics, live, interval);
      Judgement judgement =
          window.missing() != null
              ? inconclusive(window)
              : ThresholdJudge.warmUp(window.window(), maxErrorRate, maxLatencyMs, minRequests);
      points.record(
          context,
          ThresholdWindows.points(
              AnalysisPoint.WARM_UP,
              progress.checks(),
              window.window(),
              null,
              maxErrorRate,
              (double) maxLatencyMs,
              judgement));
      boolean inconclusive = judgement.verdict() == Verdict.INCONCLUSIVE;
      progress =
          new Progress(
              progress.startedAtMillis(),
              progress.checks() + 1,
              progress.inconclusive() + (inconclusive ? 1 : 0),
              0,
              judgement.reason());
      context.heartbeat(progress);
      if (judgement.verdict() == Verdict.FAIL) {
        return new AnalysisResult(
            Verdict.FAIL, progress.checks(), progress.inconclusive(), judgement.reason());
      }
    }
    boolean judged = progress.checks() > progress.inconclusive();
    return new AnalysisResult(
        judged ? Verdict.PASS : Verdict.INCONCLUSIVE,
        progress.checks(),
        progress.inconclusive(),
        progress.last() == null
            ? "no window completed: the router's metrics answer windows of "
                + text(interval)
                + (delay.isZero() ? "" : ", " + text(delay) + " late")
                + ", and the warm-up lasts "
                + text(duration)
            : progress.last());
  }

  /**
   * The metric provider the router's registration declares as its default: the threshold judge and
   * the warm-up read the router's own counters, whatever the service's analysis names.
   */
  private MetricProvider routerMetrics(ProviderRef router) {
    ProviderRef ref = providers.defaultMetricProvider(router);
    if (ref == null) {
      throw SequentialWatch.configuration(
          "the threshold judge and the blue-green warm-up read the traffic router's counters, and"
              + " the traffic router "
              + (router == null ? "is missing" : router.type() + " has no default metric provider"),
          null);
    }
    try {
      return providers.metrics(ref);
    } catch (ConfigurationException e) {
      throw SequentialWatch.configuration(e.getMessage(), e);
    }
  }

  private static Judgement inconclusive(Reading reading) {
    return new Judgement(Verdict.INCONCLUSIVE, reading.missing());
  }

  private static String text(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? CanaryStep.text(duration) : duration.toMillis() + "ms";
  }

  /**
   * When a watch of {@code duration}, in windows of {@code interval}, ends for an attempt that
   * carries on after {@code checks} windows of a watch begun at {@code startedAtMillis}: a first
   * attempt at start + duration; a retry after a worker crash as much later as no worker watched
   * (the crashed attempt's unfinished window, the wait for the retry), so every watch observes its
   * whole duration — a retry that came after the first deadline would otherwise end at once with no
   * window, "inconclusive", and pause the canary for a person.
   */
  static long deadline(
      long startedAtMillis, int checks, Duration duration, Duration interval, long nowMillis) {
    return Math.max(
        startedAtMillis + duration.toMillis(),
        nowMillis + duration.toMillis() - checks * interval.toMillis());
  }

  static void waitUntil(
      WatchClock clock, long until, ActivityExecutionContext context, Object progress) {
    while (true) {
      long left = until - clock.millis();
      if (left <= 0) {
        return;
      }
      try {
        clock.sleep(Math.min(left, BEAT.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while watching", e);
      }
      // Also where a cancellation (promote, abort) reaches the activity.
      context.heartbeat(progress);
    }
  }
}
