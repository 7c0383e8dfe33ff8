package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.worker.TemporalBackend;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's PostgreSQL goes away for a minute in the middle of a rolling deployment under load:
 * the deployment waits at its next ledger write (retried by Temporal) without failing a request,
 * the API answers without a 500 meanwhile, and once the database is back the ledger has caught up
 * with every event — numbered without a gap, none twice — and the versions the fleet runs.
 */
class LedgerOutageIT {

  static final Duration OUTAGE = Duration.ofMinutes(1);

  @TempDir Path dir;

  private EmbeddedPostgres postgres;
  private TemporalBackend temporal;
  private LocalStack stack;
  private SluiceApplication.Running api;
  private Process worker;
  private int metricsPort;

  /** PostgreSQL on {@code port} with its data in {@code dir/pg}, kept when it stops. */
  private EmbeddedPostgres startPostgres(int port) throws Exception {
    return EmbeddedPostgres.builder()
        .setPort(port)
        .setDataDirectory(dir.resolve("pg"))
        .setCleanDataDirectory(false)
        .start();
  }

  @Test
  void aDeploymentWaitsOutALedgerOutageAndTheLedgerCatchesUpWithEveryEventOnce() throws Exception {
    int pgPort = LocalStack.freePort();
    postgres = startPostgres(pgPort);
    String ledgerUrl = postgres.getJdbcUrl("postgres", "postgres");
    temporal = SeparateWorker.startDevServer(dir);
    stack =
        LocalStack.start(
            LocalStack.Options.defaults(
                    dir.resolve("stack"), Path.of(System.getProperty("sluice.sampleAppJar")))
                .withoutServer());
    int port = LocalStack.freePort();
    Path config = SeparateWorker.writeConfig(dir, port, ledgerUrl, temporal.address(), "");
    // The worker's metrics count each try of a ledger write (a local activity: no pending
    // activity on the server to look at).
    metricsPort = LocalStack.freePort();
    Files.writeString(
        config,
        Files.readString(config)
            .replace(
                "  embedded: false\n", "  embedded: false\n  metricsPort: " + metricsPort + "\n"));
    api = SluiceApplication.startServer(config);
    SluiceClient client = new SluiceClient(URI.create("http://127.0.0.1:" + port), "ci");
    Map<String, Object> service = new LinkedHashMap<>(stack.serviceDefinition());
    service.put("rolling", Map.of("batchSize", 1, "pauseBetweenBatches", "2s"));
    client.put("/api/v1/services/checkout", service).expect(201);
    worker = SeparateWorker.start(config, dir, "worker-1.log", Map.of());

    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 50).start()) {
      String id =
          client
              .post("/api/v1/deployments", Map.of("service", "checkout", "version", "2.0.0"))
              .expect(202)
              .body()
              .path("id")
              .asText();
      Awaitility.await("the first batch done")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  client
                          .get("/api/v1/deployments/" + id)
                          .body()
                          .path("batch")
                          .path("current")
                          .asInt()
                      >= 1);

      postgres.close();
      long down = System.nanoTime();
      // The workflow is stuck at a ledger write the worker keeps retrying, not failed by it.
      Awaitility.await("a ledger write retried while the database is down")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> failedLedgerWrites() >= 3);
      List<Integer> statuses = new ArrayList<>();
      while (System.nanoTime() - down < OUTAGE.toNanos()) {
        // The API without its ledger: an answer, or a 503 saying why — never a 500.
        SluiceClient.Answer answer = client.get("/api/v1/deployments/" + id);
        statuses.add(answer.status());
        assertThat(answer.body().isObject()).as("a JSON body, status %d", answer.status()).isTrue();
        TimeUnit.SECONDS.sleep(5); // the outage lasts a minute: that is the fault, not a wait
      }
      assertThat(statuses).doesNotContain(500).isNotEmpty();
      assertThat(failedLedgerWrites())
          .as(
              "still retrying the ledger write; worker log:%n%s",
              SeparateWorker.tail(dir, "worker-1.log"))
          .isGreaterThan(3);

      postgres = startPostgres(pgPort);
      JsonNode done = client.awaitFinal(id, Duration.ofMinutes(3), e -> {});
      LoadGenerator.Report report = load.stop();

      assertThat(done.path("state").asText())
          .as("worker log:%n%s", SeparateWorker.tail(dir, "worker-1.log"))
          .isEqualTo("SUCCEEDED");
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(report.failed()).as("failed requests: %s", report.failures()).isZero();

      // Straight from the database: every event once, numbered 1..n without a gap, from the
      // start to the end, and each target's upgrade recorded once.
      List<Integer> seqs = new ArrayList<>();
      List<String> types = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(ledgerUrl, "postgres", "postgres");
          PreparedStatement s =
              c.prepareStatement(
                  "SELECT seq, type, target FROM deployment_events WHERE deployment_id = ?"
                      + " ORDER BY seq")) {
        s.setString(1, id);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            seqs.add(rs.getInt(1));
            types.add(rs.getString(2) + (rs.getString(3) == null ? "" : " " + rs.getString(3)));
          }
        }
      }
      assertThat(seqs).isNotEmpty();
      for (int i = 0; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).as("event %d of %s", i + 1, types).isEqualTo(i + 1);
      }
      assertThat(types.get(0)).isEqualTo("deployment.started");
      assertThat(types).containsOnlyOnce("deployment.succeeded");
      for (String target : List.of("t1", "t2", "t3", "t4")) {
        assertThat(types).as("events").containsOnlyOnce("target.deploying " + target);
      }
      assertThat(done.path("events").size()).isEqualTo(seqs.size());
      assertThat(client.get("/api/v1/services/checkout/history").body().path("current").asText())
          .isEqualTo("2.0.0");
    }
  }

  /** The attempt of the deployment's pending ledger write, or 0 when none is pending. */
  /** Failed tries of ledger writes the worker has made, from its Prometheus metrics. */
  private long failedLedgerWrites() throws Exception {
    HttpResponse<String> metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return metrics
        .body()
        .lines()
        .filter(
            l ->
                l.startsWith("sluice_activity_duration_seconds_count{")
                    && l.contains("activity=\"LedgerRecord\"")
                    && l.contains("outcome=\"failed\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
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
