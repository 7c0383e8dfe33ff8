package dev.sluice.bench;

import dev.sluice.bench.judge.Interval;
import dev.sluice.bench.judge.KayentaJudge;
import dev.sluice.bench.judge.LiveJudge;
import dev.sluice.bench.judge.NaiveJudge;
import dev.sluice.bench.judge.OracleErrorsJudge;
import dev.sluice.bench.judge.Scenario;
import dev.sluice.bench.judge.Scenario.Kind;
import dev.sluice.bench.judge.Simulation;
import dev.sluice.bench.judge.SluiceLiveJudge;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * {@code ./bench/run judge}: canary judges run as live — one check per 30 s interval — over
 * simulated canaries, seeded and deterministic. Prints per judge: {@code BENCH judge name=… fpr=…
 * detect_err2x=… detect_p99_25pct=… median_detect_s=…}.
 *
 * <ul>
 *   <li>fpr: good releases (the canary is the baseline, or differs harmlessly: errors ×1.05,
 *       latency ×1.03) failed at any check within 30 minutes; 5–50% canary traffic, 20–500
 *       requests/s.
 *   <li>detect_err2x: canaries with twice the errors, at 10% traffic and 100 requests/s, failed
 *       within 10 minutes.
 *   <li>detect_p99_25pct: likewise for a p99 25% higher with the median unchanged.
 *   <li>median_detect_s: median time to fail over the detected bad canaries.
 * </ul>
 *
 * Every scenario: baseline error rate 0.5–2%, lognormal response times (median 40–60 ms, σ
 * 0.4–0.6), shared drift and noise, incidents hitting both groups. Optional argument: the number of
 * scenarios (default 2,400: 1,200 good, 600 of each bad kind).
 */
public final class JudgeBench {

  static final long SEED = 20240611L;
  static final int GOOD_INTERVALS = 60;
  static final int BAD_INTERVALS = 20;

  private JudgeBench() {}

  /** A judge to run; {@code yardstick} ones are reported on stderr only. */
  record Contender(String name, Supplier<LiveJudge> judge, boolean yardstick) {}

  static final List<Contender> CONTENDERS =
      List.of(
          new Contender("sluice", SluiceLiveJudge::new, false),
          new Contender("naive", NaiveJudge::new, false),
          new Contender("kayenta", KayentaJudge::new, false),
          new Contender("oracle", () -> new OracleErrorsJudge(BAD_INTERVALS), true));

  public static void run(PrintStream out, int total) throws Exception {
    long started = System.nanoTime();
    List<Scenario> scenarios = scenarios(total);
    int threads = Runtime.getRuntime().availableProcessors();
    ForkJoinPool pool = new ForkJoinPool(threads);
    int[][] failedAt;
    try {
      failedAt =
          pool.submit(
                  () ->
                      IntStream.range(0, scenarios.size())
                          .parallel()
                          .mapToObj(i -> run(scenarios.get(i)))
                          .toArray(int[][]::new))
              .get();
    } finally {
      pool.shutdown();
    }
    System.err.printf(
        Locale.ROOT,
        "judge: %d scenarios on %d threads in %.1f s%n",
        scenarios.size(),
        threads,
        (System.nanoTime() - started) / 1e9);
    for (int j = 0; j < CONTENDERS.size(); j++) {
      if (CONTENDERS.get(j).yardstick()) {
        System.err.println(
            "  oracle: one look at 10 minutes, errors only, fixed-horizon one-sided α=1% — the most"
                + " any judge detects of errors×2 within 10 minutes at that α:");
        breakdown(CONTENDERS.get(j).name(), scenarios, failedAt, j, false);
      } else {
        report(out, CONTENDERS.get(j).name(), scenarios, failedAt, j);
      }
    }
  }

  /** The scenarios: half good, a quarter of each bad kind. */
  static List<Scenario> scenarios(int total) {
    SplittableRandom random = new SplittableRandom(SEED);
    List<Scenario> list = new ArrayList<>(total);
    int good = total / 2;
    int err = (total - good) / 2;
    for (int i = 0; i < total; i++) {
      Kind kind =
          i < good
              ? (i % 3 == 2 ? Kind.GOOD_HARMLESS : Kind.GOOD)
              : i < good + err ? Kind.ERRORS_2X : Kind.P99_25PCT;
      boolean bad = kind == Kind.ERRORS_2X || kind == Kind.P99_25PCT;
      double rps = bad ? 100 : Math.exp(random.nextDouble(Math.log(20), Math.log(500)));
      double share = bad ? 0.10 : random.nextDouble(0.05, 0.50);
      double errorRate = Math.exp(random.nextDouble(Math.log(0.005), Math.log(0.02)));
      double median = random.nextDouble(40, 60);
      double sigma = random.nextDouble(0.4, 0.6);
      list.add(
          new Scenario(
              kind,
              random.nextLong(),
              bad ? BAD_INTERVALS : GOOD_INTERVALS,
              rps,
              share,
              errorRate,
              switch (kind) {
                case GOOD -> 1;
                case GOOD_HARMLESS -> 1.05;
                case ERRORS_2X -> 2;
                case P99_25PCT -> 1;
              },
              median,
              sigma,
              kind == Kind.GOOD_HARMLESS ? 1.03 : 1,
              kind == Kind.P99_25PCT ? Math.log(1.25) / 2.3263478740408408 : 0));
    }
    return list;
  }

  /** Runs every contender over one scenario; the interval each failed at, or -1. */
  static int[] run(Scenario scenario) {
    Simulation simulation = new Simulation(scenario);
    LiveJudge[] judges = new LiveJudge[CONTENDERS.size()];
    int[] failed = new int[judges.length];
    for (int j = 0; j < judges.length; j++) {
      judges[j] = CONTENDERS.get(j).judge().get();
      failed[j] = -1;
    }
    int open = judges.length;
    for (int k = 0; k < scenario.intervals() && open > 0; k++) {
      Interval interval = simulation.next();
      for (int j = 0; j < judges.length; j++) {
        if (failed[j] < 0 && judges[j].fails(interval)) {
          failed[j] = k;
          open--;
        }
      }
    }
    return failed;
  }

  static void report(
      PrintStream out, String name, List<Scenario> scenarios, int[][] failedAt, int judge) {
    int good = 0;
    int falseFailures = 0;
    int err = 0;
    int errDetected = 0;
    int p99 = 0;
    int p99Detected = 0;
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < scenarios.size(); i++) {
      Scenario s = scenarios.get(i);
      int k = failedAt[i][judge];
      switch (s.kind()) {
        case GOOD, GOOD_HARMLESS -> {
          good++;
          falseFailures += k >= 0 ? 1 : 0;
        }
        case ERRORS_2X -> {
          err++;
          errDetected += k >= 0 ? 1 : 0;
        }
        case P99_25PCT -> {
          p99++;
          p99Detected += k >= 0 ? 1 : 0;
        }
      }
      if (s.kind() == Kind.ERRORS_2X || s.kind() == Kind.P99_25PCT) {
        if (k >= 0) {
          seconds.add((k + 1.0) * Scenario.INTERVAL_SECONDS);
        }
      }
    }
    double[] sorted = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double median =
        sorted.length == 0
            ? Double.NaN
            : sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    out.printf(
        Locale.ROOT,
        "BENCH judge name=%s fpr=%.4f detect_err2x=%.4f detect_p99_25pct=%.4f"
            + " median_detect_s=%.0f scenarios=%d%n",
        name,
        (double) falseFailures / good,
        (double) errDetected / err,
        (double) p99Detected / p99,
        median,
        scenarios.size());
    System.err.printf(
        Locale.ROOT,
        "  %s: %d/%d good failed, %d/%d errors×2 and %d/%d p99+25%% detected, detection times"
            + " %s%n",
        name,
        falseFailures,
        good,
        errDetected,
        err,
        p99Detected,
        p99,
        summary(sorted));
    breakdown(name, scenarios, failedAt, judge, true);
  }

  /**
   * Detection by the scenario parameter that limits it: the baseline's error rate (errors ×2) and
   * the response times' spread (p99 +25%). To stderr: the information each bad canary offers.
   */
  static void breakdown(
      String name, List<Scenario> scenarios, int[][] failedAt, int judge, boolean latency) {
    double[] rateEdges = {0.005, 0.007, 0.01, 0.014, 0.0201};
    double[] sigmaEdges = {0.4, 0.45, 0.5, 0.55, 0.6001};
    StringBuilder b = new StringBuilder("  " + name + " detected: errors×2 by base error rate");
    bucket(b, scenarios, failedAt, judge, Kind.ERRORS_2X, Scenario::errorRate, rateEdges, 100);
    if (latency) {
      b.append("; p99+25% by σ");
      bucket(b, scenarios, failedAt, judge, Kind.P99_25PCT, Scenario::sigma, sigmaEdges, 1);
    }
    System.err.println(b);
  }

  private static void bucket(
      StringBuilder b,
      List<Scenario> scenarios,
      int[][] failedAt,
      int judge,
      Kind kind,
      ToDoubleFunction<Scenario> key,
      double[] edges,
      double scale) {
    for (int e = 0; e + 1 < edges.length; e++) {
      int n = 0;
      int hit = 0;
      for (int i = 0; i < scenarios.size(); i++) {
        Scenario s = scenarios.get(i);
        double v = key.applyAsDouble(s);
        if (s.kind() == kind && v >= edges[e] && v < edges[e + 1]) {
          n++;
          hit += failedAt[i][judge] >= 0 ? 1 : 0;
        }
      }
      b.append(
          String.format(
              Locale.ROOT,
              " [%.2g,%.2g): %d/%d",
              edges[e] * scale,
              Math.min(edges[e + 1], edges[edges.length - 1]) * scale,
              hit,
              n));
    }
  }

  private static String summary(double[] sorted) {
    if (sorted.length == 0) {
      return "none";
    }
    return String.format(
        Locale.ROOT,
        "p10 %.0f s, p50 %.0f s, p90 %.0f s, max %.0f s",
        sorted[(int) (0.1 * (sorted.length - 1))],
        sorted[(int) (0.5 * (sorted.length - 1))],
        sorted[(int) (0.9 * (sorted.length - 1))],
        sorted[sorted.length - 1]);
  }
}
