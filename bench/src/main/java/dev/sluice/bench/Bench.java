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
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;

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
      case "abort" -> RollbackBench.abort(out, count(args));
      case "bluegreen_rollback" -> RollbackBench.blueGreen(out, count(args));
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

  static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
