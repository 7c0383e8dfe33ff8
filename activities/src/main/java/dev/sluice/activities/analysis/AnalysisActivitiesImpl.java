package dev.sluice.activities.analysis;

import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.analysis.ThresholdJudge.Judgement;
import dev.sluice.activities.analysis.ThresholdJudge.Window;
import dev.sluice.activities.metrics.haproxystats.HaproxyStatsProvider;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.ports.TrafficRouter;
import dev.sluice.ports.TrafficRouter.ServerStats;
import dev.sluice.workflows.activities.AnalysisActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Watches a canary with the sequential judge over the service's metrics ({@link SequentialWatch}),
 * or with the seed's thresholds ({@code judge: threshold}) — and a freshly switched blue-green pool
 * — through the router's per-server counters. The counters are cumulative, so each window is the
 * difference between two readings. Progress is heartbeated after every window; a retried attempt
 * picks it up and carries on rather than starting the bake again.
 */
public final class AnalysisActivitiesImpl implements AnalysisActivities {

  /** Longest gap between heartbeats while waiting for the next window. */
  static final Duration BEAT = Duration.ofSeconds(5);

  private final ProviderRegistry providers;
  private final SequentialWatch sequential;
  private final ThresholdMonitor monitor;

  public AnalysisActivitiesImpl(ProviderRegistry providers) {
    this.providers = providers;
    this.sequential = new SequentialWatch(providers);
    this.monitor = new ThresholdMonitor(providers);
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
    TrafficRouter router = providers.router(call.router());
    Progress progress =
        context
            .getHeartbeatDetails(Progress.class)
            .orElse(new Progress(System.currentTimeMillis(), 0, 0, 0, null));
    long deadline = progress.startedAtMillis() + spec.duration().toMillis();
    Map<String, ServerStats> before = read(router, call.canary(), call.stable());
    while (System.currentTimeMillis() < deadline) {
      long windowEnd = Math.min(deadline, System.currentTimeMillis() + spec.interval().toMillis());
      waitUntil(windowEnd, context, progress);
      Map<String, ServerStats> after = read(router, call.canary(), call.stable());
      Judgement judgement =
          ThresholdJudge.judge(
              window(call.canary(), before, after), window(call.stable(), before, after), spec);
      before = after;
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
    TrafficRouter router = providers.router(call.router());
    List<Target> live = call.live();
    Duration duration = call.duration();
    Duration interval = call.interval();
    double maxErrorRate = call.thresholds().maxErrorRate();
    long maxLatencyMs = call.thresholds().maxLatencyMs();
    int minRequests = call.thresholds().minRequests();
    ActivityExecutionContext context = Activity.getExecutionContext();
    Progress progress =
        context
            .getHeartbeatDetails(Progress.class)
            .orElse(new Progress(System.currentTimeMillis(), 0, 0, 0, null));
    long deadline = progress.startedAtMillis() + duration.toMillis();
    Map<String, ServerStats> before = read(router, live, List.of());
    while (System.currentTimeMillis() < deadline) {
      waitUntil(
          Math.min(deadline, System.currentTimeMillis() + interval.toMillis()), context, progress);
      Map<String, ServerStats> after = read(router, live, List.of());
      Judgement judgement =
          ThresholdJudge.warmUp(
              window(live, before, after), maxErrorRate, maxLatencyMs, minRequests);
      before = after;
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
        progress.last() == null ? "no window completed" : progress.last());
  }

  private static Map<String, ServerStats> read(
      TrafficRouter router, List<Target> first, List<Target> second) {
    List<Target> all = new java.util.ArrayList<>(first);
    all.addAll(second);
    Map<String, ServerStats> byId = new HashMap<>();
    for (ServerStats stats : router.stats(all)) {
      byId.put(stats.targetId(), stats);
    }
    return byId;
  }

  /**
   * The group's window: counter differences, and the request-weighted response time of the window's
   * requests. HAProxy's per-server {@code rtime} is a moving average over about the last 1024
   * responses (each response moves it by 1/1024 of the difference), so it still mostly remembers
   * older traffic — a server that just got a slow version would look fast for minutes. The window's
   * own mean is recovered from the two readings: after {@code n} responses of mean {@code m},
   * {@code avg' = m + (avg - m)·k} with {@code k = (1 - 1/1024)^n}.
   */
  static Window window(
      List<Target> group, Map<String, ServerStats> before, Map<String, ServerStats> after) {
    long requests = 0;
    long errors = 0;
    long weightedMillis = 0;
    for (Target target : group) {
      ServerStats now = after.get(target.id());
      if (now == null) {
        continue;
      }
      ServerStats then = Optional.ofNullable(before.get(target.id())).orElse(now);
      // A counter going down means HAProxy restarted: count from zero.
      long answered = delta(now.responsesTotal(), then.responsesTotal());
      requests += answered;
      errors += delta(now.responses5xx(), then.responses5xx());
      weightedMillis +=
          windowMean(
                  then.avgResponseTimeMs(), now.avgResponseTimeMs(), answered, now.responsesTotal())
              * answered;
    }
    return new Window(requests, errors, requests == 0 ? -1 : weightedMillis / requests);
  }

  /**
   * The mean response time of a window's {@code answered} responses, recovered from HAProxy's
   * moving {@code rtime} average (see {@link HaproxyStatsProvider#windowMean}), in whole ms.
   */
  static long windowMean(long before, long after, long answered, long total) {
    return answered == 0
        ? 0
        : Math.round(HaproxyStatsProvider.windowMean(before, after, answered, total));
  }

  private static long delta(long now, long then) {
    return now >= then ? now - then : now;
  }

  static void waitUntil(long until, ActivityExecutionContext context, Object progress) {
    while (true) {
      long left = until - System.currentTimeMillis();
      if (left <= 0) {
        return;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(Math.min(left, BEAT.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while watching", e);
      }
      // Also where a cancellation (promote, abort) reaches the activity.
      context.heartbeat(progress);
    }
  }
}
