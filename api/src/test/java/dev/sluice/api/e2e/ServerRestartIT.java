package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.worker.TemporalCli;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default backend keeps deployments through a crash of everything: {@code sluice server} (API
 * and worker in one process, Temporal's dev server started by it, the H2 ledger in a file) runs a
 * canary that waits for a person; Sluice and the Temporal server are both SIGKILLed and started
 * again; the canary is still there, waiting, and completes when promoted.
 */
class ServerRestartIT {

  @TempDir Path dir;

  private LocalStack stack;
  private Process server;

  @Test
  void aCanaryWaitingForPromoteOutlivesSigkillOfSluiceAndTemporalAndCompletesWhenPromoted()
      throws Exception {
    stack =
        LocalStack.start(
            LocalStack.Options.defaults(
                    dir.resolve("stack"), Path.of(System.getProperty("sluice.sampleAppJar")))
                .withoutServer());
    int port = LocalStack.freePort();
    Path config = writeConfig(port);
    SluiceClient client = new SluiceClient(URI.create("http://127.0.0.1:" + port), "ci");

    server = SeparateWorker.run("server", config, dir, "server-1.log", Map.of());
    awaitUp(client, "server-1.log");
    client.put("/api/v1/services/checkout", stack.serviceDefinition()).expect(201);
    String id =
        client.startCanary(
            "checkout", "2.0.0", List.of(Map.of("setWeight", 25), Map.of("pause", Map.of())));
    client.awaitDeployment(
        id, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));

    List<ProcessHandle> temporal =
        server
            .descendants()
            .filter(p -> p.info().command().orElse("").contains("temporal"))
            .toList();
    assertThat(temporal).as("the dev server Sluice started").isNotEmpty();
    server.destroyForcibly(); // SIGKILL: no shutdown hook stops the dev server
    assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
    temporal.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : temporal) {
      process.onExit().get(10, TimeUnit.SECONDS);
    }

    server = SeparateWorker.run("server", config, dir, "server-2.log", Map.of());
    awaitUp(client, "server-2.log");
    JsonNode afterRestart = client.get("/api/v1/deployments/" + id).expect(200).body();
    assertThat(afterRestart.path("state").asText()).as("%s", afterRestart).isEqualTo("RUNNING");
    assertThat(afterRestart.path("phase").asText()).as("%s", afterRestart).isEqualTo("WAITING");

    client
        .post("/api/v1/deployments/" + id + "/promote", Map.of("full", true, "reason", "restarted"))
        .expect(200, 202);
    JsonNode done = client.awaitFinal(id, Duration.ofMinutes(3), e -> {});
    assertThat(done.path("state").asText())
        .as("after the restart; server log:%n%s", SeparateWorker.tail(dir, "server-2.log"))
        .isEqualTo("SUCCEEDED");
    assertThat(stack.versions().values()).containsOnly("2.0.0");
  }

  /**
   * Everything durable in files under {@code dir}: the ledger, Temporal's history, its pid file.
   */
  private Path writeConfig(int port) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home"));
    String yaml =
        """
        server:
          applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: %d}]
          adminConnectors: [{type: http, bindHost: 127.0.0.1, port: %d}]
          requestLog: {appenders: []}
        home: %s
        database:
          driverClass: org.h2.Driver
          url: "jdbc:h2:file:%s/ledger;AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000"
          user: sa
          password: ""
        temporal:
          address: 127.0.0.1:%d
          uiPort: %d
          devDbFile: %s
          devBinary: %s
        logging:
          level: INFO
          loggers: {io.temporal: WARN, io.grpc: WARN}
        """
            .formatted(
                port,
                LocalStack.freePort(),
                dir,
                dir,
                LocalStack.freePort(),
                LocalStack.freePort(),
                dir.resolve("temporal.db"),
                TemporalCli.locate(null, home));
    Path file = dir.resolve("sluice.yml");
    Files.writeString(file, yaml);
    return file;
  }

  /** Waits until Sluice serves; if it does not (or exits), fails with the end of its log. */
  private void awaitUp(SluiceClient client, String log) throws Exception {
    try {
      Awaitility.await("Sluice serving")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> !server.isAlive() || client.get("/api/v1/services").status() == 200);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("Sluice did not serve within 2 minutes" + endOf(log), e);
    }
    if (!server.isAlive()) {
      throw new AssertionError("Sluice exited with " + server.exitValue() + endOf(log));
    }
  }

  private String endOf(String log) throws Exception {
    return "; the end of " + log + ":\n" + SeparateWorker.tail(dir, log);
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (server != null) {
      SeparateWorker.stop(server); // SIGTERM: Sluice stops the dev server it started
    }
    // A dev server on this test's files that is still running (the SIGKILLed server's, or one a
    // server that never came up had started) goes too: it is found by its database file, not as a
    // child, since a killed parent's children are no longer its descendants.
    String db = dir.resolve("temporal.db").toString();
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(db))
        .forEach(ProcessHandle::destroyForcibly);
    if (stack != null) {
      stack.close();
    }
  }
}
