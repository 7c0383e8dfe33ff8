package dev.sluice.activities.analysis;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.judge.IntervalObservations;
import dev.sluice.judge.Judge;
import dev.sluice.judge.JudgeInputException;
import dev.sluice.judge.JudgeResult;
import dev.sluice.judge.JudgeSpec;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeState;
import dev.sluice.judge.Observation;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.MetricCheck;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Verdict;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.ports.MetricProvider.Status;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.AnalysisActivities.WatchCall;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An analysis step judged by the sequential judge: every interval, each metric is fetched for the
 * canary and for the baseline serving in the same window, and the judge takes one more step. The
 * judge's state travels in the activity's heartbeats, so a retried attempt on another worker goes
 * on with the evidence gathered so far instead of starting the bake again.
 *
 * <p>Outcomes: FAIL as soon as a critical metric fails; INCONCLUSIVE once {@code maxInconclusive}
 * intervals in a row lacked data (no traffic, a provider error, too few samples yet) — the canary
 * then pauses for a person; at the end of the step, the judge's verdict: PASS only when every
 * metric has enough data and data in the latest interval, FAIL when a non-critical metric failed or
 * a metric's one look at the end ({@link Judge#conclude}) failed it.
 */
final class SequentialWatch {

  /** What survives a worker crash: when the step began, the judge's evidence, the streak. */
  record Progress(
      long startedAtMillis,
      int checks,
      int inconclusive,
      int inconclusiveStreak,
      JudgeState judge,
      String last) {}

  /** One interval's readings: as measured, and as the judge takes them (tolerances applied). */
  private record Fetched(List<Observation.Pair> measured, IntervalObservations judged) {}

  private final ProviderRegistry providers;
  private final AnalysisEvidence points;
  private final WatchClock clock;

  SequentialWatch(ProviderRegistry providers, AnalysisEvidence points, WatchClock clock) {
    this.providers = providers;
    this.points = points;
    this.clock = clock;
  }

  AnalysisResult watch(WatchCall call, ActivityExecutionContext context) {
    AnalysisSpec spec = call.spec().withDefaults();
    JudgeSpec judgeSpec;
    try {
      judgeSpec = JudgeSpecs.of(call.analysis());
    } catch (JudgeInputException e) {
      throw configuration("the service's analysis metrics: " + e.getMessage(), e);
    }
    Judge judge = new Judge(judgeSpec);
    MetricProvider provider = provider(providers, call.analysis(), call.router());
    Progress progress = resume(context, judge);
    long deadline =
        AnalysisActivitiesImpl.deadline(
            progress.startedAtMillis(),
            progress.checks(),
            spec.duration(),
            spec.interval(),
            clock.millis());
    Duration window = spec.interval();
    // A first reading starts the window: counter-based providers answer differences.
    Progress beat = progress;
    Runnable heartbeat = () -> context.heartbeat(beat);
    fetchAll(provider, call, judgeSpec, window, heartbeat);
    long windowStart = clock.millis();
    // A resumed attempt whose judge has concluded has nothing left to watch.
    boolean ended = progress.judge().concluded() || clock.millis() >= deadline;
    while (!ended) {
      long windowEnd = Math.min(deadline, clock.millis() + window.toMillis());
      AnalysisActivitiesImpl.waitUntil(clock, windowEnd, context, progress);
      // The window actually covered (the last one may be cut short by the deadline): queries
      // over a longer one would count the previous interval's data twice.
      long now = clock.millis();
      Duration covered = Duration.ofSeconds(Math.max(1, Math.round((now - windowStart) / 1000.0)));
      windowStart = now;
      Progress current = progress;
      Fetched observed =
          fetchAll(provider, call, judgeSpec, covered, () -> context.heartbeat(current));
      JudgeState state = judge.step(progress.judge(), observed.judged());
      boolean inconclusive = state.verdict() == Verdict.INCONCLUSIVE;
      int streak = inconclusive ? progress.inconclusiveStreak() + 1 : 0;
      boolean givenUp = streak >= spec.maxInconclusive();
      ended = clock.millis() >= deadline;
      if (ended && !state.decided() && !givenUp) {
        // The analysis ran to its planned end: the judge's one look at its totals, recorded with
        // this interval's points so the evidence shows the verdict that counts and the power the
        // window had.
        state = judge.conclude(state);
      }
      points.record(context, points(progress.checks(), now, observed.measured(), state, judgeSpec));
      progress =
          new Progress(
              progress.startedAtMillis(),
              progress.checks() + 1,
              progress.inconclusive() + (inconclusive ? 1 : 0),
              streak,
              state,
              describe(judge.result(state)));
      context.heartbeat(progress);
      if (state.decided()) {
        return result(Verdict.FAIL, progress, failing(judge.result(state)));
      }
      if (givenUp) {
        return result(
            Verdict.INCONCLUSIVE,
            progress,
            progress.inconclusiveStreak()
                + " intervals in a row without enough data: "
                + progress.last());
      }
    }
    if (progress.checks() == 0) {
      return result(Verdict.INCONCLUSIVE, progress, "no interval completed");
    }
    // Concluded with the last interval (or now, for evidence heartbeated before it was).
    JudgeResult end = judge.result(judge.conclude(progress.judge()));
    // A pass says how much it is worth: each metric's "not enough evidence of a regression" and
    // the smallest regression its window could have detected.
    return result(
        end.verdict(), progress, end.verdict() == Verdict.FAIL ? failing(end) : describe(end));
  }

  /**
   * The service's metric provider: the one its analysis names, else its router's default (as the
   * registry knows it); a configuration error when there is none or it is broken.
   */
  static MetricProvider provider(
      ProviderRegistry providers, AnalysisConfig analysis, ProviderRef router) {
    ProviderRef ref = providers.metricProviderFor(analysis, router);
    if (ref == null) {
      throw configuration(
          "no metric provider: the service's analysis names none and its traffic router is "
              + (router == null
                  ? "missing"
                  : router.type() + ", which has no default metric provider"),
          null);
    }
    try {
      return providers.metrics(ref);
    } catch (ConfigurationException e) {
      throw configuration(e.getMessage(), e);
    }
  }

  private Progress resume(ActivityExecutionContext context, Judge judge) {
    Optional<Progress> saved;
    try {
      saved = context.getHeartbeatDetails(Progress.class);
    } catch (RuntimeException unreadable) {
      // Heartbeats of another shape (an attempt by an older worker): start the step afresh.
      saved = Optional.empty();
    }
    JudgeState fresh = judge.start();
    return saved
        .filter(p -> p.judge() != null && compatible(p.judge(), fresh))
        .orElse(new Progress(clock.millis(), 0, 0, 0, fresh, null));
  }

  /**
   * Whether heartbeated evidence fits this judge: same metrics, same tests, same number of
   * alternatives (a worker of another release may have written it).
   */
  static boolean compatible(JudgeState saved, JudgeState fresh) {
    if (saved.metrics().size() != fresh.metrics().size()) {
      return false;
    }
    for (int i = 0; i < fresh.metrics().size(); i++) {
      JudgeState.MetricState a = saved.metrics().get(i);
      JudgeState.MetricState b = fresh.metrics().get(i);
      if (!Objects.equals(a.name(), b.name()) || a.evidence().size() != b.evidence().size()) {
        return false;
      }
      for (int k = 0; k < b.evidence().size(); k++) {
        JudgeState.Evidence x = a.evidence().get(k);
        JudgeState.Evidence y = b.evidence().get(k);
        if (x.test() != y.test()
            || x.increase() != y.increase()
            || x.logRatios().size() != y.logRatios().size()) {
          return false;
        }
      }
    }
    return true;
  }

  private static AnalysisResult result(Verdict verdict, Progress progress, String reason) {
    return new AnalysisResult(verdict, progress.checks(), progress.inconclusive(), reason);
  }

  /**
   * The interval's reading of each metric, with the judge's standing after it (concluded, when the
   * interval ended the analysis).
   */
  private static List<AnalysisPoint> points(
      int interval,
      long endedAtMillis,
      List<Observation.Pair> measured,
      JudgeState state,
      JudgeSpec spec) {
    List<AnalysisPoint> out = new ArrayList<>();
    Instant at = Instant.ofEpochMilli(endedAtMillis);
    for (int i = 0; i < spec.metrics().size(); i++) {
      MetricSpec metric = spec.metrics().get(i);
      JudgeState.MetricState standing = state.metrics().get(i);
      Observation.Pair pair = measured.get(i);
      out.add(
          new AnalysisPoint(
              null,
              AnalysisPoint.CANARY,
              interval,
              at,
              metric.name(),
              AnalysisEvidence.measure(metric.type()),
              AnalysisEvidence.reading(pair.canary()),
              AnalysisEvidence.reading(pair.baseline()),
              standing.pValue(),
              spec.sequentialAlpha(i),
              standing.verdict(),
              standing.details(),
              AnalysisEvidence.requests(pair.canary()),
              AnalysisEvidence.requests(pair.baseline()),
              state.concluded() ? conclusion(standing, spec.finalAlpha(i)) : null));
    }
    return out;
  }

  /** A metric's look at the end; a metric that failed before it had none. */
  private static AnalysisPoint.Conclusion conclusion(
      JudgeState.MetricState standing, double finalAlpha) {
    Double finalP = standing.finalPValue();
    return new AnalysisPoint.Conclusion(
        finalP, finalP == null ? null : finalAlpha, standing.detectable());
  }

  /** Every metric of both groups over the window that ends now; missing data stays null. */
  private static Fetched fetchAll(
      MetricProvider provider,
      WatchCall call,
      JudgeSpec spec,
      Duration window,
      Runnable heartbeat) {
    List<Double> tolerances =
        call.analysis().effectiveMetrics().stream().map(MetricCheck::effectiveTolerance).toList();
    List<Observation.Pair> pairs = new ArrayList<>();
    List<Observation.Pair> measured = new ArrayList<>();
    for (MetricSpec metric : spec.metrics()) {
      // A slow provider (a 5 s timeout per query) must not look like a dead worker.
      heartbeat.run();
      MetricProvider.Kind kind = JudgeSpecs.kind(metric.type());
      Observation canary =
          observe(
              provider,
              metric,
              new Query(
                  metric.name(),
                  kind,
                  "canary",
                  call.canary(),
                  call.service(),
                  call.canaryVersion(),
                  window));
      Observation baseline =
          call.stable().isEmpty()
              ? null
              : observe(
                  provider,
                  metric,
                  new Query(
                      metric.name(),
                      kind,
                      "baseline",
                      call.stable(),
                      call.service(),
                      call.stableVersion(),
                      window));
      measured.add(new Observation.Pair(baseline, canary));
      pairs.add(
          new Observation.Pair(
              baseline, JudgeSpecs.tolerate(canary, metric, tolerances.get(pairs.size()))));
    }
    return new Fetched(measured, new IntervalObservations(pairs));
  }

  /**
   * One group's sample as the judge's observation; no data, an error, no traffic or an impossible
   * reading are all "nothing observed" (null), which makes the interval inconclusive.
   */
  static Observation observe(MetricProvider provider, MetricSpec metric, Query query) {
    Sample sample;
    try {
      sample = provider.fetch(query);
    } catch (ConfigurationException e) {
      throw configuration(e.getMessage(), e);
    } catch (RuntimeException e) {
      // Providers answer errors as data; one that throws anyway is treated the same way.
      return null;
    }
    if (sample == null || sample.status() != Status.OK) {
      return null;
    }
    return switch (metric.type()) {
      case RATIO ->
          sample.total() > 0 && sample.events() >= 0 && sample.events() <= sample.total()
              ? new Observation.Counts(sample.events(), sample.total())
              : null;
      case SAMPLES -> {
        double[] values =
            sample.values().stream()
                .filter(Double::isFinite)
                .mapToDouble(Double::doubleValue)
                .toArray();
        yield values.length == 0 ? null : new Observation.Samples(values);
      }
      case VALUE -> Double.isFinite(sample.value()) ? new Observation.Value(sample.value()) : null;
    };
  }

  /** The failed metrics first, then the rest. */
  static String failing(JudgeResult result) {
    String failed =
        result.metrics().stream()
            .filter(m -> m.verdict() == Verdict.FAIL)
            .map(m -> m.name() + " FAIL (" + m.details() + ")")
            .collect(Collectors.joining("; "));
    String rest =
        result.metrics().stream()
            .filter(m -> m.verdict() != Verdict.FAIL)
            .map(m -> m.name() + " " + m.verdict())
            .collect(Collectors.joining(", "));
    return rest.isEmpty() ? failed : failed + "; " + rest;
  }

  /** One sentence per metric: its verdict and the judge's details. */
  static String describe(JudgeResult result) {
    return result.metrics().stream()
        .map(m -> m.name() + " " + m.verdict() + " (" + m.details() + ")")
        .collect(Collectors.joining("; "));
  }

  static ApplicationFailure configuration(String message, Throwable cause) {
    return ApplicationFailure.newNonRetryableFailureWithCause(
        message, FailureTypes.CONFIGURATION_ERROR, cause);
  }
}
