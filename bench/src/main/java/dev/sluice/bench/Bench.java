package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Scenario benchmarks. {@code ./bench/run NAME} prints one {@code BENCH NAME key=value …} line per
 * run on stdout (everything else goes to stderr). They measure; they never fail on a figure.
 *
 * <ul>
 *   <li>{@code rolling}: the end-to-end scenario with numbers: a rolling deployment of four
 *       sample-app targets behind HAProxy (25% batches, 2 s pauses) while 100 requests/s go through
 *       HAProxy.
 *   <li>{@code crash}: deployments whose worker or Temporal server is killed with SIGKILL at random
 *       points (see {@link CrashBench}).
 *   <li>{@code judge}: canary judges run as live over simulated canaries (see {@link JudgeBench}).
 *   <li>{@code detect}: the judge end to end on the local fleet (see {@link DetectBench}).
 *   <li>{@code flags}: flag evaluation, engine and OpenFeature provider, with JMH (see {@link
 *       FlagsBench}).
 *   <li>{@code backfill}: the schema-migration backfill on embedded PostgreSQL under writers (see
 *       {@link BackfillBench}).
 *   <li>{@code scale}: a thousand canaries at once on one worker process (see {@link ScaleBench});
 *       {@code scale-worker} is that process, started by it.
 *   <li>{@code history}: the longest history of any run of a rolling, a canary and a blue-green
 *       deployment of 2,000 in-memory targets, time skipped (see {@link HistoryBench}).
 *   <li>{@code fuzz}: schemathesis against the OpenAPI document, at least 10,000 requests: no 5xx,
 *       answers as documented, rejected requests change nothing (see {@link FuzzBench}).
 * </ul>
 */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println(
          "usage: bench/run NAME   (names: rolling, abort, bluegreen_rollback, crash, judge, detect,"
              + " flags, backfill, history, history72, fuzz, scale)");
      System.exit(2);
    }
    // Interrupted (Ctrl-C, a kill): the processes a benchmark started (HAProxy, sample-app,
    // Temporal, Sluice) stop with it rather than outlive it.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy)));
    PrintStream out = System.out;
    // Only BENCH lines on stdout: logs written before logging is configured go to stderr.
    System.setOut(System.err);
    switch (args[0]) {
      case "rolling" -> rolling(out);
      case "abort" -> abort(out, count(args));
      case "bluegreen_rollback" -> blueGreenRollback(out, count(args));
      case "flags" -> FlagsBench.run(out);
      case "backfill" ->
          BackfillBench.run(
              out,
              args.length > 1 ? Integer.parseInt(args[1]) : 1000,
              args.length > 2 ? Integer.parseInt(args[2]) : BackfillBench.DEFAULT_RATE,
              args.length > 3 ? args[3] : "adaptive");
      case "history" ->
          HistoryBench.run(
              out,
              args.length > 1 ? Integer.parseInt(args[1]) : 2000,
              args.length > 2 ? args[2] : "25%");
      case "history72" ->
          HistoryBench.longCanary(
              out,
              args.length > 1 ? Integer.parseInt(args[1]) : 72,
              args.length > 2 ? Integer.parseInt(args[2]) : 30);
      case "scale" -> ScaleBench.run(out, args.length > 1 ? Integer.parseInt(args[1]) : 1000);
      case "scale-worker" -> {
        ScaleBench.worker(args[1], args[2], Integer.parseInt(args[3]));
        // Temporal's and H2's threads would keep the process up.
        System.exit(0);
      }
      case "crash" ->
          CrashBench.run(
              out,
              args.length > 1 ? Integer.parseInt(args[1]) : 20,
              args.length > 2 ? args[2] : "all",
              args.length > 3 ? args[3] : "all");
      case "fuzz" ->
          FuzzBench.run(
              out, args.length > 1 ? Integer.parseInt(args[1]) : FuzzBench.DEFAULT_REQUESTS);
      case "judge" -> JudgeBench.run(out, args.length > 1 ? Integer.parseInt(args[1]) : 2400);
      case "detect" ->
          DetectBench.run(
              out,
              args.length > 1 ? Integer.parseInt(args[1]) : 5,
              args.length > 2 ? Integer.parseInt(args[2]) : 500);
      default -> {
        System.err.println(
            "unknown benchmark "
                + args[0]
                + " (names: rolling, abort, bluegreen_rollback, crash, judge, detect, flags,"
                + " backfill, history, history72, fuzz, scale)");
        System.exit(2);
      }
    }
  }

  static void rolling(PrintStream out) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    Path work = Files.createTempDirectory(home.resolve(".sluice"), "bench-rolling-");
    Path jar = home.resolve("sample-app/target/sample-app.jar");
    try (LocalStack stack =
        LocalStack.start(LocalStack.Options.defaults(work, jar), SluiceApplication::startServer)) {
      SluiceClient api = stack.client();
      api.put("/api/v1/services/" + LocalStack.SERVICE, stack.serviceDefinition()).expect(201);
      LoadGenerator.Report report;
      long started;
      long finished;
      JsonNode result;
      try (LoadGenerator load = new LoadGenerator(stack.frontend(), 100).start()) {
        started = System.nanoTime();
        String id =
            api.post(
                    "/api/v1/deployments",
                    Map.of("service", LocalStack.SERVICE, "version", "2.0.0"))
                .expect(202)
                .body()
                .path("id")
                .asText();
        result = api.awaitFinal(id, Duration.ofMinutes(5), e -> {});
        finished = System.nanoTime();
        report = load.stop();
      }
      out.printf(
          Locale.ROOT,
          "BENCH rolling targets=%d requests=%d failed=%d duration_s=%.1f rps=%.0f p99_ms=%.1f"
              + " state=%s%n",
          stack.targets().size(),
          report.sent(),
          report.failed(),
          (finished - started) / 1e9,
          report.rate(),
          report.p99Millis(),
          result.path("state").asText());
    } finally {
      deleteRecursively(work);
    }
  }

  private static int count(String[] args) {
    return args.length > 1 ? Integer.parseInt(args[1]) : 20;
  }

  /**
   * Canary abort latency: a canary at 25% with a prober sending a request every millisecond through
   * HAProxy; abort over REST; time from the REST call to the last response the canary served.
   * Repeated {@code n} times.
   */
  static void abort(PrintStream out, int n) throws Exception {
    List<Double> millis = new ArrayList<>();
    withStack(
        false,
        stack -> {
          SluiceClient api = stack.client();
          for (int i = 1; i <= n; i++) {
            String version = "3." + i + ".0";
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
                                List.of(Map.of("setWeight", 25), Map.of("pause", Map.of())))))
                    .expect(202)
                    .body()
                    .path("id")
                    .asText();
            api.awaitDeployment(
                id, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));
            millis.add(
                lastServedAfter(
                    stack,
                    version,
                    () ->
                        api.post("/api/v1/deployments/" + id + "/abort", Map.of("reason", "bench"))
                            .expect(202),
                    () -> api.awaitFinal(id, Duration.ofMinutes(2), e -> {})));
            System.err.printf(Locale.ROOT, "abort %d/%d: %.1f ms%n", i, n, millis.get(i - 1));
          }
        });
    print(out, "abort", millis);
  }

  /**
   * Blue-green switch-back latency: the new pool live in its rollback window, a prober sending a
   * request every millisecond; POST /services/{name}/rollback; time from the REST call to the last
   * response the new pool served. Repeated {@code n} times.
   */
  static void blueGreenRollback(PrintStream out, int n) throws Exception {
    List<Double> millis = new ArrayList<>();
    withStack(
        true,
        stack -> {
          SluiceClient api = stack.client();
          for (int i = 1; i <= n; i++) {
            String version = "2." + i + ".0";
            String id =
                api.post(
                        "/api/v1/deployments",
                        Map.of(
                            "service",
                            LocalStack.SERVICE,
                            "version",
                            version,
                            "strategy",
                            "blue-green",
                            "blueGreen",
                            Map.of(
                                "warmUp", "1s",
                                "rollbackWindow", "10m",
                                "smokeChecks", List.of(Map.of("path", "/health")))))
                    .expect(202)
                    .body()
                    .path("id")
                    .asText();
            api.awaitDeployment(
                id, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));
            millis.add(
                lastServedAfter(
                    stack,
                    version,
                    () ->
                        api.post(
                                "/api/v1/services/" + LocalStack.SERVICE + "/rollback",
                                Map.of("reason", "bench"))
                            .expect(202),
                    () -> api.awaitFinal(id, Duration.ofMinutes(2), e -> {})));
            System.err.printf(
                Locale.ROOT, "bluegreen_rollback %d/%d: %.1f ms%n", i, n, millis.get(i - 1));
          }
        });
    print(out, "bluegreen_rollback", millis);
  }

  /**
   * Runs {@code action} under a 1 request/ms prober and returns the milliseconds from just before
   * it to the last response {@code version} answered; waits for {@code settled} and one more second
   * of probing so late answers are counted.
   */
  private static double lastServedAfter(
      LocalStack stack, String version, Runnable action, Runnable settled) throws Exception {
    try (Prober prober = new Prober(stack.frontend(), version).start()) {
      // Let the prober reach the version before acting, so "last served" is meaningful.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (prober.lastAnswer() == 0 && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      long before = System.nanoTime();
      action.run();
      long answered = System.nanoTime();
      settled.run();
      // One more second of probing: a late answer from the old version still counts.
      TimeUnit.SECONDS.sleep(1);
      System.err.printf(
          Locale.ROOT,
          "  REST call answered after %.1f ms; prober sent %d, %d failed%n",
          (answered - before) / 1e6,
          prober.sent(),
          prober.failed());
      return Math.max(0, prober.lastAnswer() - before) / 1e6;
    }
  }

  private static void print(PrintStream out, String name, List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    out.printf(
        Locale.ROOT,
        "BENCH %s p50_ms=%.1f p99_ms=%.1f max_ms=%.1f n=%d%n",
        name,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        sorted.get(sorted.size() - 1),
        sorted.size());
  }

  private static double percentile(List<Double> sorted, double p) {
    int index = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  interface StackUse {
    void run(LocalStack stack) throws Exception;
  }

  private static void withStack(boolean pools, StackUse use) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    Path work = Files.createTempDirectory(home.resolve(".sluice"), "bench-");
    LocalStack.Options options =
        LocalStack.Options.defaults(work, home.resolve("sample-app/target/sample-app.jar"));
    try (LocalStack stack =
        LocalStack.start(pools ? options.withPools() : options, SluiceApplication::startServer)) {
      stack
          .client()
          .put("/api/v1/services/" + LocalStack.SERVICE, stack.serviceDefinition())
          .expect(201);
      use.run(stack);
    } finally {
      deleteRecursively(work);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
