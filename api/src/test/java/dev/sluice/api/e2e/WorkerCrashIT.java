package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.ServerStats;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.worker.TemporalBackend;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with SIGKILL in the middle of a rolling deployment: a new worker carries on and
 * the deployment completes, with no target left drained and no target deployed twice. Temporal (the
 * CLI's dev server) and the ledger (PostgreSQL) live in their own processes, as they would in
 * production; the worker is a {@code sluice worker} process.
 */
class WorkerCrashIT {

  static final Map<String, String> WORKER_ENV = Map.of();

  @TempDir Path dir;

  private EmbeddedPostgres postgres;
  private TemporalBackend temporal;
  private LocalStack stack;
  private SluiceApplication.Running api;
  private Process worker;

  @Test
  void aKilledWorkerIsReplacedAndTheDeploymentCompletesWithoutRedeployingAnyTarget()
      throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    temporal = SeparateWorker.startDevServer(dir);

    LocalStack.Options defaults =
        LocalStack.Options.defaults(
            dir.resolve("stack"), Path.of(System.getProperty("sluice.sampleAppJar")));
    // 2.0.0 takes 4 s to start listening, so the worker can be killed in the middle of a deploy.
    stack =
        LocalStack.start(
            defaults.withBehavior(Map.of("2.0.0.startupDelayMs", "4000")).withoutServer());
    int port = LocalStack.freePort();
    Path config =
        SeparateWorker.writeConfig(
            dir, port, postgres.getJdbcUrl("postgres", "postgres"), temporal.address(), "");
    api = SluiceApplication.startServer(config);
    SluiceClient client = new SluiceClient(URI.create("http://127.0.0.1:" + port), "ci");

    Map<String, Object> service = new LinkedHashMap<>(stack.serviceDefinition());
    service.put("rolling", Map.of("batchSize", 1, "pauseBetweenBatches", "3s"));
    client.put("/api/v1/services/checkout", service).expect(201);

    worker = SeparateWorker.start(config, dir, "worker-1.log", WORKER_ENV);
    String id =
        client
            .post("/api/v1/deployments", Map.of("service", "checkout", "version", "2.0.0"))
            .expect(202)
            .body()
            .path("id")
            .asText();

    // In the middle of the second batch: t2's new instance spawned but not yet listening.
    Awaitility.await("t2's 2.0.0 instance spawned")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                Files.exists(stack.deployerLog())
                    && Files.readAllLines(stack.deployerLog()).stream()
                        .anyMatch(
                            l ->
                                l.contains("target=t2")
                                    && l.contains("/upgrade")
                                    && l.contains("outcome=started")));
    worker.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful stop
    assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(worker.exitValue()).isEqualTo(137);
    JsonNode atCrash = client.get("/api/v1/deployments/" + id).expect(200).body();
    assertThat(atCrash.path("state").asText()).isIn("RUNNING", "PAUSED");

    worker = SeparateWorker.start(config, dir, "worker-2.log", WORKER_ENV);
    JsonNode done = client.awaitFinal(id, Duration.ofMinutes(3), e -> {});

    assertThat(done.path("state").asText())
        .as("deployment after the crash; worker log:%n%s", SeparateWorker.tail(dir, "worker-2.log"))
        .isEqualTo("SUCCEEDED");
    assertThat(stack.versions().values()).containsOnly("2.0.0");
    List<String> statuses =
        HaproxyRouter.fromRef(stack.haproxy().routerRef()).stats(stack.targets()).stream()
            .map(ServerStats::status)
            .toList();
    assertThat(statuses)
        .as("no target left drained")
        .allSatisfy(s -> assertThat(s).startsWith("UP"));
    List<String> upgrades =
        Files.readAllLines(stack.deployerLog()).stream()
            .filter(l -> l.contains("outcome=started") && l.contains("/upgrade"))
            .map(l -> l.replaceAll(".*(target=\\S+).*", "$1"))
            .toList();
    assertThat(upgrades)
        .as("each target deployed exactly once")
        .containsExactlyInAnyOrder("target=t1", "target=t2", "target=t3", "target=t4");
    assertThat(Files.readAllLines(stack.deployerLog()))
        .as("the new worker's retry of t2's deploy found it done")
        .anyMatch(l -> l.contains("target=t2") && l.contains("outcome=already-done"));
  }

  @AfterEach
  void stopEverything() throws Exception {
    SeparateWorker.stop(worker);
    if (api != null) {
      api.close();
    }
    if (stack != null) {
      stack.close();
    }
    if (temporal != null) {
      temporal.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
