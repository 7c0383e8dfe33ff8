package dev.sluice.bench;

import dev.sluice.bench.judge.Interval;
import dev.sluice.bench.judge.KayentaJudge;
import dev.sluice.bench.judge.LiveJudge;
import dev.sluice.bench.judge.NaiveJudge;
import dev.sluice.bench.judge.OracleErrorsJudge;
import dev.sluice.bench.judge.OracleTailJudge;
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
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * {@code ./bench/run judge}: canary judges run as live — one check per 30 s interval — over
 * simulated canaries, seeded and deterministic. Prints per judge: {@code BENCH judge name=… fpr=…
 * detect_err2x=… detect_p99_25pct=… detect_err3x_low=… detect_err5x_low=… detect_tail6x=…
 * detect_spread2x=… median_detect_s=…}, and the fixed-horizon yardsticks as {@code BENCH judge
 * name=oracle detect_err2x=… detect_err3x_low=… detect_err5x_low=… detect_tail6x=…}.
 *
 * <ul>
 *   <li>fpr: good releases (the canary is the baseline, or differs harmlessly: errors ×1.05,
 *       latency ×1.03) failed at any check within 30 minutes; 5–50% canary traffic, 20–500
 *       requests/s.
 *   <li>detect_err2x: canaries with twice the errors, at 10% traffic and 100 requests/s, failed
 *       within 10 minutes.
 *   <li>detect_p99_25pct: likewise for a p99 25% higher with the median unchanged.
 *   <li>detect_err3x_low, detect_err5x_low: three and five times the errors on a 5% canary at 20–50
 *       requests/s, failed within 15 minutes — rare but large jumps.
 *   <li>detect_tail6x: 5% of the canary's requests six times slower; detect_spread2x: twice the
 *       log-scale spread, the median unchanged — both on a 5% canary at 20–50 requests/s within 15
 *       minutes too (at 10% of 100 requests/s every judge detects them all within 90 s).
 *   <li>median_detect_s: median time to fail over the detected errors ×2 and p99 +25% canaries (the
 *       figure the earlier runs reported; every kind's own is on stderr).
 *   <li>oracle: one look at the scenario's end with the α of 1% on the one thing that regressed —
 *       the errors ({@link OracleErrorsJudge}) or the tail beyond the p95 ({@link OracleTailJudge})
 *       — the most a judge detects within that time at that α.
 * </ul>
 *
 * Every scenario: baseline error rate 0.5–2%, lognormal response times (median 40–60 ms, σ
 * 0.4–0.6), shared drift and noise, incidents hitting both groups. Optional argument: the number of
 * scenarios N of the original mix (default 2,400: 1,200 good, 600 errors ×2, 600 p99 +25%); N/8 of
 * each newer kind come on top, from a seed of their own, so the original mix stays comparable
 * between versions of the bench.
 */
public final class JudgeBench {

  static final long SEED = 20240611L;
  static final int GOOD_INTERVALS = 60;
  static final int BAD_INTERVALS = 20;

  /** The newer, low-traffic cases (5% of 20–50 requests/s) run 15 minutes. */
  static final int LOW_TRAFFIC_INTERVALS = 30;

  static final List<Kind> NEWER_KINDS =
      List.of(Kind.ERRORS_3X_LOW, Kind.ERRORS_5X_LOW, Kind.TAIL_6X, Kind.SPREAD_2X);

  static final List<Kind> BAD_KINDS =
      List.of(
          Kind.ERRORS_2X,
          Kind.P99_25PCT,
          Kind.ERRORS_3X_LOW,
          Kind.ERRORS_5X_LOW,
          Kind.TAIL_6X,
          Kind.SPREAD_2X);

  private JudgeBench() {}

  /**
   * A judge to run, made afresh per scenario; a {@code yardstick} is reported only on the kinds it
   * {@code applies} to.
   */
  record Contender(
      String name,
      Function<Scenario, LiveJudge> judge,
      boolean yardstick,
      Predicate<Kind> applies) {

    static Contender judge(String name, Supplier<LiveJudge> judge) {
      return new Contender(name, s -> judge.get(), false, k -> true);
    }
  }

  static final Contender ORACLE_ERRORS =
      new Contender("oracle", s -> new OracleErrorsJudge(s.intervals()), true, Kind::errors);

  static final Contender ORACLE_TAIL =
      new Contender(
          "oracle", s -> new OracleTailJudge(s.intervals()), true, k -> k == Kind.TAIL_6X);

  static final List<Contender> CONTENDERS =
      List.of(
          new Contender("sluice", s -> new SluiceLiveJudge(s.intervals()), false, k -> true),
          Contender.judge("naive", NaiveJudge::new),
          Contender.judge("kayenta", KayentaJudge::new),
          ORACLE_ERRORS,
          ORACLE_TAIL);

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
    StringBuilder oracle = new StringBuilder("BENCH judge name=oracle");
    for (int j = 0; j < CONTENDERS.size(); j++) {
      Contender c = CONTENDERS.get(j);
      if (c.yardstick()) {
        for (Kind kind : BAD_KINDS) {
          if (c.applies().test(kind)) {
            oracle.append(
                String.format(
                    Locale.ROOT, " %s=%.4f", kind.key(), detected(scenarios, failedAt, j, kind)));
          }
        }
      } else {
        report(out, c.name(), scenarios, failedAt, j);
      }
    }
    out.println(oracle.append(" scenarios=").append(scenarios.size()));
    System.err.println(
        "  oracle: one look at the scenario's end, fixed-horizon one-sided α=1% on the errors only"
            + " (error kinds) or the tail beyond the p95 only (tail×6) — the most any judge"
            + " detects within that time at that α:");
    breakdown("oracle", scenarios, failedAt, CONTENDERS.indexOf(ORACLE_ERRORS), false);
  }

  /**
   * The scenarios: the original mix (half good, a quarter each of errors ×2 and p99 +25%), then
   * {@code total / 8} of each newer kind.
   */
  static List<Scenario> scenarios(int total) {
    SplittableRandom random = new SplittableRandom(SEED);
    List<Scenario> list = new ArrayList<>(total + NEWER_KINDS.size() * (total / 8));
    int good = total / 2;
    int err = (total - good) / 2;
    for (int i = 0; i < total; i++) {
      Kind kind =
          i < good
              ? (i % 3 == 2 ? Kind.GOOD_HARMLESS : Kind.GOOD)
              : i < good + err ? Kind.ERRORS_2X : Kind.P99_25PCT;
      boolean bad = kind.bad();
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
                case GOOD_HARMLESS -> 1.05;
                case ERRORS_2X -> 2;
                default -> 1;
              },
              median,
              sigma,
              kind == Kind.GOOD_HARMLESS ? 1.03 : 1,
              kind == Kind.P99_25PCT ? Math.log(1.25) / 2.3263478740408408 : 0,
              0,
              1));
    }
    SplittableRandom newer = new SplittableRandom(SEED + 1);
    for (Kind kind : NEWER_KINDS) {
      for (int i = 0; i < total / 8; i++) {
        double rps = Math.exp(newer.nextDouble(Math.log(20), Math.log(50)));
        double errorRate = Math.exp(newer.nextDouble(Math.log(0.005), Math.log(0.02)));
        double median = newer.nextDouble(40, 60);
        double sigma = newer.nextDouble(0.4, 0.6);
        list.add(
            new Scenario(
                kind,
                newer.nextLong(),
                LOW_TRAFFIC_INTERVALS,
                rps,
                0.05,
                errorRate,
                switch (kind) {
                  case ERRORS_3X_LOW -> 3;
                  case ERRORS_5X_LOW -> 5;
                  default -> 1;
                },
                median,
                sigma,
                1,
                kind == Kind.SPREAD_2X ? sigma : 0,
                kind == Kind.TAIL_6X ? 0.05 : 0,
                kind == Kind.TAIL_6X ? 6 : 1));
      }
    }
    return list;
  }

  /** Runs every contender over one scenario; the interval each failed at, or -1. */
  static int[] run(Scenario scenario) {
    Simulation simulation = new Simulation(scenario);
    LiveJudge[] judges = new LiveJudge[CONTENDERS.size()];
    int[] failed = new int[judges.length];
    int open = 0;
    for (int j = 0; j < judges.length; j++) {
      Contender c = CONTENDERS.get(j);
      failed[j] = -1;
      if (c.applies().test(scenario.kind())) {
        judges[j] = c.judge().apply(scenario);
        open++;
      }
    }
    for (int k = 0; k < scenario.intervals() && open > 0; k++) {
      Interval interval = simulation.next();
      for (int j = 0; j < judges.length; j++) {
        if (judges[j] != null && failed[j] < 0 && judges[j].fails(interval)) {
          failed[j] = k;
          open--;
        }
      }
    }
    return failed;
  }

  /**
   * The share of {@code kind}'s scenarios (both good kinds for a good one) that {@code judge}
   * failed.
   */
  static double detected(List<Scenario> scenarios, int[][] failedAt, int judge, Kind kind) {
    int n = 0;
    int hit = 0;
    for (int i = 0; i < scenarios.size(); i++) {
      Kind k = scenarios.get(i).kind();
      if (kind.bad() ? k == kind : !k.bad()) {
        n++;
        hit += failedAt[i][judge] >= 0 ? 1 : 0;
      }
    }
    return n == 0 ? Double.NaN : (double) hit / n;
  }

  /** Sorted detection times in seconds of {@code judge} over the scenarios of {@code kinds}. */
  static double[] seconds(List<Scenario> scenarios, int[][] failedAt, int judge, List<Kind> kinds) {
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < scenarios.size(); i++) {
      int k = failedAt[i][judge];
      if (kinds.contains(scenarios.get(i).kind()) && k >= 0) {
        seconds.add((k + 1.0) * Scenario.INTERVAL_SECONDS);
      }
    }
    return seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  static void report(
      PrintStream out, String name, List<Scenario> scenarios, int[][] failedAt, int judge) {
    StringBuilder line =
        new StringBuilder("BENCH judge name=")
            .append(name)
            .append(
                String.format(
                    Locale.ROOT, " fpr=%.4f", detected(scenarios, failedAt, judge, Kind.GOOD)));
    StringBuilder times = new StringBuilder("  " + name + " detection times:");
    for (Kind kind : BAD_KINDS) {
      line.append(
          String.format(
              Locale.ROOT, " %s=%.4f", kind.key(), detected(scenarios, failedAt, judge, kind)));
      times
          .append(' ')
          .append(kind.key())
          .append(' ')
          .append(summary(seconds(scenarios, failedAt, judge, List.of(kind))))
          .append(';');
    }
    double[] sorted = seconds(scenarios, failedAt, judge, List.of(Kind.ERRORS_2X, Kind.P99_25PCT));
    double median =
        sorted.length == 0
            ? Double.NaN
            : sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    out.println(
        line.append(
            String.format(
                Locale.ROOT, " median_detect_s=%.0f scenarios=%d", median, scenarios.size())));
    System.err.println(times);
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
