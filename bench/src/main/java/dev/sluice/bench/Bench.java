package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.demo.LoadGenerator;
import dev.sluice.api.demo.LocalStack;
import dev.sluice.api.demo.SluiceClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * </ul>
 */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: bench/run NAME   (names: rolling)");
      System.exit(2);
    }
    PrintStream out = System.out;
    // Only BENCH lines on stdout: logs written before logging is configured go to stderr.
    System.setOut(System.err);
    switch (args[0]) {
      case "rolling" -> rolling(out);
      default -> {
        System.err.println("unknown benchmark " + args[0] + " (names: rolling)");
        System.exit(2);
      }
    }
  }

  static void rolling(PrintStream out) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    Path work = Files.createTempDirectory(home.resolve(".sluice"), "bench-rolling-");
    Path jar = home.resolve("sample-app/target/sample-app.jar");
    try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults(work, jar))) {
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

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
