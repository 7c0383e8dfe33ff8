package dev.sluice.api.e2e;

import dev.sluice.api.demo.LocalStack;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the end-to-end tests with a worker of its own share: a configuration for an API-only process
 * on PostgreSQL and the dev server, and {@code sluice worker} processes started from it.
 */
final class SeparateWorker {

  private SeparateWorker() {}

  /**
   * Writes {@code dir/sluice.yml}: the API on {@code port} (admin on a free one), the ledger at
   * {@code ledgerUrl}, Temporal's dev server at {@code temporalAddress}, no embedded worker, plus
   * {@code extraYaml} (top-level keys).
   */
  static Path writeConfig(
      Path dir, int port, String ledgerUrl, String temporalAddress, String extraYaml)
      throws Exception {
    String yaml =
        """
        server:
          applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: %d}]
          adminConnectors: [{type: http, bindHost: 127.0.0.1, port: %d}]
          requestLog: {appenders: []}
        home: %s
        database:
          driverClass: org.postgresql.Driver
          url: "%s"
          user: postgres
          password: postgres
        temporal:
          backend: dev
          address: %s
        worker:
          embedded: false
        logging:
          level: INFO
          loggers: {io.temporal: WARN, io.grpc: WARN}
        """
                .formatted(port, LocalStack.freePort(), dir, ledgerUrl, temporalAddress)
            + extraYaml;
    Path file = dir.resolve("sluice.yml");
    Files.writeString(file, yaml);
    return file;
  }

  /** Starts {@code sluice worker config}, output to {@code dir/log}, with {@code env} added. */
  static Process start(Path config, Path dir, String log, Map<String, String> env)
      throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin, "-jar", System.getProperty("sluice.jar"), "worker", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(log).toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    return pb.start();
  }

  /** The last 40 lines of {@code dir/log}, for failure messages. */
  static String tail(Path dir, String log) throws Exception {
    Path file = dir.resolve(log);
    if (!Files.exists(file)) {
      return "(none)";
    }
    List<String> lines = Files.readAllLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Stops a worker gracefully (SIGTERM, 30 s), then forcibly. */
  static void stop(Process worker) throws Exception {
    if (worker != null) {
      worker.destroy();
      if (!worker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        worker.destroyForcibly();
      }
    }
  }
}
