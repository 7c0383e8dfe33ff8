package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.SluiceApplication;
import dev.sluice.sampleapp.SampleApp;
import dev.sluice.sampleapp.SampleAppConfig;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.worker.TemporalBackend;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dual writes end to end: sample-app's profiles, kept in two PostgreSQL databases (legacy and new),
 * follow the phase flag through the OpenFeature provider while a client keeps writing and reading
 * them, and the workflow reads the app's mismatch counters from its {@code /metrics}. The worker is
 * a process of its own on the dev server, SIGKILLed in the middle of the migration: a promote sent
 * while no worker runs is carried out by the next one. Stores made to differ pause the migration.
 */
class DualWriteIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final List<String> PHASES =
      List.of("old-only", "dual-write", "shadow-read", "read-new", "new-only");

  @TempDir Path dir;
  static int apiPort;
  EmbeddedPostgres postgres;
  TemporalBackend temporal;
  SluiceApplication.Running server;
  Process worker;
  SampleApp app;
  final AtomicBoolean stop = new AtomicBoolean();
  final List<Throwable> clientErrors = new CopyOnWriteArrayList<>();
  Thread client;

  @AfterEach
  void stopEverything() throws Exception {
    stop.set(true);
    if (client != null) {
      client.join(10_000);
    }
    if (app != null) {
      app.close();
    }
    SeparateWorker.stop(worker);
    if (server != null) {
      server.close();
    }
    if (temporal != null) {
      temporal.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  static HttpResponse<String> send(String method, String url, Object body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String api(String path) {
    return "http://127.0.0.1:" + apiPort + path;
  }

  String appUrl(String path) {
    return "http://127.0.0.1:" + app.port() + path;
  }

  static JsonNode migration() throws Exception {
    return JSON.readTree(send("GET", api("/api/v1/dual-writes/profiles"), null).body());
  }

  static void awaitMigration(String field, String value) {
    Awaitility.await(field + " " + value)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> migration().path(field).asText().equals(value));
  }

  /** The phase the app is in, as its profile reads report it. */
  String appPhase() throws Exception {
    send("PUT", appUrl("/profiles/probe?value=x"), null);
    return JSON.readTree(send("GET", appUrl("/profiles/probe"), null).body())
        .path("phase")
        .asText();
  }

  /** Writes fresh profiles and reads them back, as users would, until stopped. */
  void startClient() {
    AtomicInteger n = new AtomicInteger();
    client =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  int i = n.incrementAndGet();
                  String id = "user" + (i % 50);
                  send("PUT", appUrl("/profiles/" + id + "?value=v" + i), null);
                  HttpResponse<String> read = send("GET", appUrl("/profiles/" + id), null);
                  if (read.statusCode() != 200) {
                    throw new AssertionError("read of " + id + ": " + read.statusCode());
                  }
                  Thread.sleep(5); // pace the users: load, not a wait for anything
                }
              } catch (Throwable e) {
                clientErrors.add(e);
              }
            },
            "profiles-client");
    client.start();
  }

  @Test
  void theAppFollowsThePhasesToTheNewStoreThroughAWorkerCrashAndDivergedStoresPause()
      throws Exception {
    SeparateWorker.reportingWorkerLogs(dir, this::scenario, () -> "");
  }

  private void scenario() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE legacy");
      s.execute("CREATE DATABASE fresh");
    }
    temporal = SeparateWorker.startDevServer(dir);
    apiPort = LocalStack.freePort();
    Path config =
        SeparateWorker.writeConfig(
            dir, apiPort, postgres.getJdbcUrl("postgres", "postgres"), temporal.address(), "");
    server = SluiceApplication.startServer(config);
    worker = SeparateWorker.start(config, dir, "worker-1.log", Map.of());

    Map<String, Object> variants = new LinkedHashMap<>();
    PHASES.forEach(p -> variants.put(p, p));
    assertThat(
            send(
                    "POST",
                    api("/api/v1/flags"),
                    Map.of(
                        "key",
                        "profiles-store",
                        "type",
                        "ops",
                        "definition",
                        Map.of(
                            "state",
                            "ENABLED",
                            "variants",
                            variants,
                            "defaultVariant",
                            "old-only")))
                .statusCode())
        .isEqualTo(201);
    app =
        SampleApp.start(
            SampleAppConfig.of("1.0.0")
                .withProfiles(new SampleAppConfig.Stores(store("legacy"), store("fresh"))),
            api(""));
    assertThat(appPhase()).isEqualTo("old-only");
    Map<String, Object> start =
        Map.of(
            "name",
            "profiles",
            "flagKey",
            "profiles-store",
            "metricsUrls",
            List.of(appUrl("/metrics")),
            "window",
            "1s");

    assertThat(send("POST", api("/api/v1/dual-writes"), start).statusCode()).isEqualTo(202);
    awaitMigration("phase", "dual-write");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> appPhase().equals("dual-write"));
    // Users write from here on: both stores have everything they will read (the chapter backfills
    // older rows before shadow reads; this app's profiles are all new).
    startClient();
    for (String phase : List.of("dual-write", "shadow-read", "read-new")) {
      awaitMigration("phase", phase);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> appPhase().equals(phase));
      if (phase.equals("shadow-read")) {
        // The worker dies while the migration watches its shadow reads; the promote is sent
        // while no worker runs, and the next worker carries it out.
        worker.destroyForcibly(); // SIGKILL
        assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> sent =
            send("POST", api("/api/v1/dual-writes/profiles/promote"), Map.of("reason", "checked"));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        assertThat(sent.body()).contains("applies when a worker picks it up");
        worker = SeparateWorker.start(config, dir, "worker-2.log", Map.of());
        continue;
      }
      send("POST", api("/api/v1/dual-writes/profiles/promote"), Map.of("reason", "checked"));
    }
    awaitMigration("state", "COMPLETED");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> appPhase().equals("new-only"));
    stop.set(true);
    client.join(10_000);
    assertThat(clientErrors).as("every user request answered").isEmpty();
    String metrics = send("GET", appUrl("/metrics"), null).body();
    assertThat(metrics).contains("sluice_dualwrite_mismatches_total{migration=\"profiles\"} 0");
    assertThat(metrics)
        .doesNotContain("sluice_dualwrite_reads_compared_total{migration=\"profiles\"} 0\n");
    // The new database holds every profile the legacy one does (writes after new-only reach
    // only the new one).
    assertThat(rows("fresh").keySet()).isNotEmpty().containsAll(rows("legacy").keySet());

    // Again, with the stores made to differ behind the repository's back: the shadow reads see it.
    assertThat(send("POST", api("/api/v1/dual-writes"), start).statusCode()).isEqualTo(202);
    awaitMigration("phase", "dual-write");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> appPhase().equals("dual-write"));
    send("PUT", appUrl("/profiles/diverged?value=same"), null);
    send("PUT", appUrl("/profiles/diverged?value=lost-in-copy&only=new"), null);
    send("POST", api("/api/v1/dual-writes/profiles/promote"), null);
    awaitMigration("phase", "shadow-read");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> appPhase().equals("shadow-read"));
    send("POST", api("/api/v1/dual-writes/profiles/promote"), null);
    Awaitility.await("paused on mismatches")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              send("GET", appUrl("/profiles/diverged"), null); // keep reading it
              return migration().path("state").asText().equals("PAUSED");
            });
    assertThat(migration().path("reason").asText()).contains("compared reads differed");
    assertThat(migration().path("phase").asText())
        .as("not promoted past it")
        .isEqualTo("shadow-read");

    send("POST", api("/api/v1/dual-writes/profiles/abort"), Map.of("reason", "stores differ"));
    awaitMigration("state", "ROLLED_BACK");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> appPhase().equals("old-only"));
  }

  String store(String database) {
    return postgres.getJdbcUrl("postgres", database) + "&password=postgres";
  }

  Map<String, String> rows(String database) throws Exception {
    Map<String, String> rows = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(store(database));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, value FROM profiles")) {
      while (rs.next()) {
        rows.put(rs.getString(1), rs.getString(2));
      }
    }
    return rows;
  }
}
