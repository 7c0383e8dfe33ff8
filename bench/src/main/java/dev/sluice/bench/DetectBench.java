package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.activities.analysis.JudgeSpecs;
import dev.sluice.activities.metrics.haproxystats.HaproxyStatsProvider;
import dev.sluice.api.SluiceApplication;
import dev.sluice.judge.IntervalObservations;
import dev.sluice.judge.Judge;
import dev.sluice.judge.JudgeResult;
import dev.sluice.judge.JudgeSpec;
import dev.sluice.judge.JudgeState;
import dev.sluice.judge.Observation;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./bench/run detect [n]}: the canary judge end to end on the local fleet. Four sample-app
 * targets behind HAProxy, 200 requests/s, the stable version failing 1% of requests; a canary (one
 * target) at 5% of the traffic, judged by the default analysis (HAProxy's counters: errors,
 * critical; mean response time) every 5 s.
 *
 * <ul>
 *   <li>{@code time_to_rollback_s}: {@code n} canaries failing 5% of requests (5× the stable rate):
 *       seconds from the canary taking its 5% to the canary taking no traffic, rolled back by the
 *       judge with nobody watching.
 *   <li>{@code false_rollbacks}: a good canary (1%, like stable) runs live for a few minutes while
 *       the bench records HAProxy's counters for canary and baseline every 5 s, exactly what the
 *       analysis reads; those real intervals are then resampled into 30-minute canaries (360
 *       intervals) and judged as live, one check per interval. Counts canaries that would have been
 *       failed (at once or at the end).
 * </ul>
 */
final class DetectBench {

  static final Duration INTERVAL = Duration.ofSeconds(5);
  static final int RPS = 200;

  private DetectBench() {}

  static void run(PrintStream out, int n, int simulated) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    Path work = Files.createTempDirectory(home.resolve(".sluice"), "bench-detect-");
    Map<String, String> behavior = new HashMap<>();
    behavior.put("1.0.0.errorRate", "0.01");
    for (int i = 1; i <= n; i++) {
      behavior.put("5." + i + ".0.errorRate", "0.05");
    }
    behavior.put("6.0.0.errorRate", "0.01");
    LocalStack.Options options =
        LocalStack.Options.defaults(work, home.resolve("sample-app/target/sample-app.jar"))
            .withBehavior(behavior);
    try (LocalStack stack = LocalStack.start(options, SluiceApplication::startServer)) {
      SluiceClient api = stack.client();
      api.put("/api/v1/services/" + LocalStack.SERVICE, stack.serviceDefinition()).expect(201);
      List<Double> seconds = new ArrayList<>();
      int rolledBack = 0;
      try (LoadGenerator load = new LoadGenerator(stack.frontend(), RPS).start()) {
        for (int i = 1; i <= n; i++) {
          // Three rollbacks in a row open the circuit breaker: this is a benchmark, not an
          // incident.
          api.post("/api/v1/services/" + LocalStack.SERVICE + "/circuit/reset", Map.of())
              .expect(200);
          JsonNode done = canary(api, "5." + i + ".0", Duration.ofMinutes(10));
          String state = done.path("state").asText();
          double s = between(done, "canary.weight", "canary.cut-off");
          System.err.printf(
              Locale.ROOT,
              "detect bad %d/%d: %s after %.1f s: %s%n",
              i,
              n,
              state,
              s,
              done.path("reason").asText());
          if (state.equals("ROLLED_BACK") && s >= 0) {
            rolledBack++;
            seconds.add(s);
          }
        }
        report("bad canaries", load.stop());
      }
      List<Double> sorted = new ArrayList<>(seconds);
      Collections.sort(sorted);
      out.printf(
          Locale.ROOT,
          "BENCH detect time_to_rollback_s=%.1f p90_s=%.1f max_s=%.1f rolled_back=%d n=%d"
              + " canary_share=0.05 rps=%d error_rate=0.01->0.05%n",
          Percentiles.of(sorted, 0.5),
          Percentiles.of(sorted, 0.9),
          sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1),
          rolledBack,
          n,
          RPS);

      // A good canary, live, while its intervals are recorded.
      List<IntervalObservations> recorded = new ArrayList<>();
      String live;
      api.post("/api/v1/services/" + LocalStack.SERVICE + "/circuit/reset", Map.of()).expect(200);
      try (LoadGenerator load = new LoadGenerator(stack.frontend(), RPS).start()) {
        live = recordGoodCanary(api, stack, recorded);
        report("good canary", load.stop());
      }
      int falseRollbacks = 0;
      Map<String, Integer> failedBy = new TreeMap<>();
      Judge judge = new Judge(JudgeSpecs.of(AnalysisConfig.DEFAULT));
      int perCanary = (int) (Duration.ofMinutes(30).toSeconds() / INTERVAL.toSeconds());
      SplittableRandom random = new SplittableRandom(20261127L);
      for (int r = 0; r < simulated; r++) {
        JudgeState state = judge.start();
        for (int k = 0; k < perCanary && !state.decided(); k++) {
          state = judge.step(state, recorded.get(random.nextInt(recorded.size())));
        }
        JudgeResult result = judge.result(state);
        if (result.verdict() == Verdict.FAIL) {
          falseRollbacks++;
          result.metrics().stream()
              .filter(m -> m.verdict() == Verdict.FAIL)
              .forEach(m -> failedBy.merge(m.name(), 1, Integer::sum));
        }
      }
      System.err.println(
          "detect simulated good canaries failed by metric: "
              + failedBy
              + "; the recorded sample itself: "
              + summary(recorded));
      out.printf(
          Locale.ROOT,
          "BENCH detect false_rollbacks=%d n=%d simulated_min=30 recorded_intervals=%d"
              + " live_good_canary=%s%n",
          falseRollbacks,
          simulated,
          recorded.size(),
          live);
    } finally {
      Bench.deleteRecursively(work);
    }
  }

  /** A canary at 5% judged for {@code analysis}, then promoted; its final view. */
  private static JsonNode canary(SluiceClient api, String version, Duration analysis) {
    String id =
        api.post(
                "/api/v1/deployments",
                Map.of(
                    "service",
                    LocalStack.SERVICE,
                    "version",
                    version,
                    "strategy",
                    "canary",
                    "canary",
                    Map.of(
                        "steps",
                        List.of(
                            Map.of("setWeight", 5),
                            Map.of(
                                "analysis",
                                Map.of(
                                    "duration",
                                    analysis.toSeconds() + "s",
                                    "interval",
                                    INTERVAL.toSeconds() + "s")),
                            Map.of("setWeight", 100)))))
            .expect(202)
            .body()
            .path("id")
            .asText();
    return api.awaitFinal(id, analysis.plusMinutes(5), e -> {});
  }

  /**
   * Runs a good canary with a 3-minute analysis while reading HAProxy's counters every interval as
   * the analysis does; returns the live canary's outcome. Afterwards the fleet is on 6.0.0 (or back
   * on what it ran, if the canary failed).
   */
  private static String recordGoodCanary(
      SluiceClient api, LocalStack stack, List<IntervalObservations> recorded) throws Exception {
    Map<String, Object> router = castMap(stack.serviceDefinition().get("trafficRouter"));
    MetricProvider provider =
        HaproxyStatsProvider.fromRef(
            new ProviderRef(HaproxyStatsProvider.TYPE, castMap(router.get("settings"))));
    List<Target> targets = stack.targets();
    List<Target> canary = targets.subList(0, 1);
    List<Target> stable = targets.subList(1, targets.size());
    String[] outcome = new String[1];
    Thread deployment =
        new Thread(
            () -> {
              JsonNode done = canary(api, "6.0.0", Duration.ofMinutes(3));
              outcome[0] = done.path("state").asText();
              System.err.println("detect good canary: " + done.path("reason").asText());
            },
            "good-canary");
    deployment.start();
    // Recording starts once the canary takes traffic.
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!stack.versions().get(canary.get(0).id()).equals("6.0.0")
        && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200);
    }
    fetch(provider, canary, stable); // the first reading starts the window
    while (deployment.isAlive()) {
      deployment.join(INTERVAL.toMillis());
      if (deployment.isAlive()) {
        recorded.add(fetch(provider, canary, stable));
      }
    }
    System.err.printf(
        Locale.ROOT,
        "detect good canary: %s, %d intervals recorded%n",
        outcome[0],
        recorded.size());
    for (IntervalObservations i : recorded) {
      System.err.println("  recorded " + describe(i));
    }
    return outcome[0];
  }

  private static IntervalObservations fetch(
      MetricProvider provider, List<Target> canary, List<Target> stable) {
    Sample canaryErrors = provider.fetch(query("errors", Kind.RATIO, "canary", canary));
    Sample baselineErrors = provider.fetch(query("errors", Kind.RATIO, "baseline", stable));
    Sample canaryLatency = provider.fetch(query("latency", Kind.VALUE, "canary", canary));
    Sample baselineLatency = provider.fetch(query("latency", Kind.VALUE, "baseline", stable));
    // As the analysis does: the default latency metric's absolute tolerance applied.
    JudgeSpec spec = JudgeSpecs.of(AnalysisConfig.DEFAULT);
    return new IntervalObservations(
        List.of(
            new Observation.Pair(counts(baselineErrors), counts(canaryErrors)),
            new Observation.Pair(
                value(baselineLatency),
                JudgeSpecs.tolerate(
                    value(canaryLatency),
                    spec.metrics().get(1),
                    AnalysisConfig.defaultMetrics().get(1).effectiveTolerance()))));
  }

  /**
   * The recorded intervals in total: resampling keeps whatever difference this sample happened to
   * have, so a sample in which the canary was by chance a little worse than its allowance yields
   * simulated canaries that really are.
   */
  private static String summary(List<IntervalObservations> recorded) {
    long be = 0;
    long bt = 0;
    long ce = 0;
    long ct = 0;
    double bl = 0;
    double cl = 0;
    int n = 0;
    for (IntervalObservations i : recorded) {
      if (i.metrics().get(0) != null
          && i.metrics().get(0).baseline() instanceof Observation.Counts b
          && i.metrics().get(0).canary() instanceof Observation.Counts c) {
        be += b.events();
        bt += b.total();
        ce += c.events();
        ct += c.total();
      }
      if (i.metrics().get(1) != null
          && i.metrics().get(1).baseline() instanceof Observation.Value b
          && i.metrics().get(1).canary() instanceof Observation.Value c) {
        bl += b.value();
        cl += c.value();
        n++;
      }
    }
    return String.format(
        Locale.ROOT,
        "errors canary %d/%d (%.2f%%) vs baseline %d/%d (%.2f%%); latency (tolerance applied)"
            + " canary %.1f vs baseline %.1f ms on average over %d intervals",
        ce,
        ct,
        100.0 * ce / Math.max(1, ct),
        be,
        bt,
        100.0 * be / Math.max(1, bt),
        cl / Math.max(1, n),
        bl / Math.max(1, n),
        n);
  }

  private static String describe(IntervalObservations i) {
    StringBuilder b = new StringBuilder();
    for (Observation.Pair p : i.metrics()) {
      b.append(p == null ? "-" : text(p.baseline()) + " vs " + text(p.canary())).append("; ");
    }
    return b.toString();
  }

  private static String text(Observation o) {
    if (o instanceof Observation.Counts c) {
      return c.events() + "/" + c.total();
    }
    if (o instanceof Observation.Value v) {
      return String.valueOf(v.value());
    }
    return String.valueOf(o);
  }

  private static Query query(String metric, Kind kind, String group, List<Target> targets) {
    return new Query(metric, kind, group, targets, LocalStack.SERVICE, null, INTERVAL);
  }

  private static Observation counts(Sample s) {
    return s.status() == MetricProvider.Status.OK && s.total() > 0
        ? new Observation.Counts(s.events(), s.total())
        : null;
  }

  private static Observation value(Sample s) {
    return s.status() == MetricProvider.Status.OK ? new Observation.Value(s.value()) : null;
  }

  private static void report(String what, LoadGenerator.Report report) {
    System.err.printf(
        Locale.ROOT,
        "detect load during %s: %d requests at %.0f/s, %d failed%n",
        what,
        report.sent(),
        report.rate(),
        report.failed());
  }

  /** Seconds between the first events of two types, or -1 when either is missing. */
  private static double between(JsonNode view, String from, String to) {
    Instant start = null;
    Instant end = null;
    for (JsonNode e : view.path("events")) {
      String type = e.path("type").asText();
      if (start == null && type.equals(from)) {
        start = instant(e.path("at"));
      }
      if (end == null && type.equals(to)) {
        end = instant(e.path("at"));
      }
    }
    return start == null || end == null ? -1 : Duration.between(start, end).toMillis() / 1000.0;
  }

  /** An event time, as the API writes it: ISO-8601 text. */
  private static Instant instant(JsonNode at) {
    return Instant.parse(at.asText());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }
}
