package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SecretScan;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.testkit.SluiceCommand;
import dev.sluice.testkit.SluiceCommand.Run;
import dev.sluice.worker.TemporalBackend;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One REST call runs a whole release on real parts: the chapter's {@code users.phone →
 * phone_number} expanded and backfilled on PostgreSQL while the old app keeps writing {@code
 * phone}, a rolling deployment through HAProxy under load, a flag rollout, the release's gate, then
 * contract. A second release aborted at its gate is undone newest first: flag back to 0%, the fleet
 * rolled back to the version before, the migration rolled back. No request fails throughout.
 */
class ReleaseIT {

  static final int ROWS = 3_000;

  /** The app database's password, given to Sluice only as a file; never stored or logged. */
  static final String DB_PASSWORD = "db-" + UUID.randomUUID();

  @TempDir static Path dir;
  static EmbeddedPostgres postgres;
  static String appUrl;
  static TemporalBackend temporal;
  static LocalStack stack;
  static SluiceApplication.Running server;
  static SluiceClient api;
  static SluiceCommand cli;
  static final ObjectMapper JSON = new ObjectMapper();
  static Path config;
  static Process worker;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE app");
      s.execute("CREATE ROLE app_owner LOGIN SUPERUSER PASSWORD '" + DB_PASSWORD + "'");
    }
    appUrl = postgres.getJdbcUrl("postgres", "app");
    sql(
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text, phone text NOT NULL)",
        "INSERT INTO users (name, phone) SELECT 'user ' || g, '+1-555-' || g"
            + " FROM generate_series(1, "
            + ROWS
            + ") g");
    Path password = dir.resolve("app-db-password");
    Files.writeString(password, DB_PASSWORD + "\n");
    temporal = SeparateWorker.startDevServer(dir);
    stack =
        LocalStack.start(
            LocalStack.Options.defaults(
                    dir.resolve("stack"), Path.of(System.getProperty("sluice.sampleAppJar")))
                .withoutServer());
    int port = LocalStack.freePort();
    config =
        SeparateWorker.writeConfig(
            dir,
            port,
            postgres.getJdbcUrl("postgres", "postgres"),
            temporal.address(),
            """
            migrations:
              datasources:
                app: {url: "%s", user: app_owner, passwordFile: "%s"}
            """
                .formatted(appUrl, password));
    server = SluiceApplication.startServer(config);
    worker = SeparateWorker.start(config, dir, "worker-1.log", Map.of());
    api = new SluiceClient(URI.create("http://127.0.0.1:" + port), "ci");
    cli =
        new SluiceCommand(
            Path.of(System.getProperty("sluice.jar")),
            "http://127.0.0.1:" + port,
            dir.resolve("cli"));
    api.put("/api/v1/services/checkout", stack.serviceDefinition()).expect(201);
    for (String flag : List.of("new-checkout", "fast-search")) {
      api.post(
              "/api/v1/flags",
              Map.of(
                  "key",
                  flag,
                  "type",
                  "release",
                  "owner",
                  "team-checkout",
                  "definition",
                  Map.of(
                      "state",
                      "ENABLED",
                      "variants",
                      Map.of("on", true, "off", false),
                      "defaultVariant",
                      "off"),
                  "reason",
                  "ships dark"))
          .expect(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    SeparateWorker.stop(worker);
    if (server != null) {
      server.close();
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

  @Test
  void oneCallRunsMigrationDeploymentFlagGateAndContractAndAnAbortedReleaseIsUndoneNewestFirst()
      throws Exception {
    SeparateWorker.reportingWorkerLogs(dir, this::scenario, () -> "");
  }

  private void scenario() throws Exception {
    AtomicBoolean stopWriter = new AtomicBoolean();
    List<Throwable> writerErrors = new CopyOnWriteArrayList<>();
    AtomicLong lastWritten = new AtomicLong();
    // The old app (1.0.0) knows only phone; it keeps inserting until the new version is
    // everywhere and the release's gate is reached.
    Thread oldApp =
        new Thread(
            () -> {
              try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres")) {
                for (long i = 1; !stopWriter.get(); i++) {
                  try (Statement s = c.createStatement();
                      ResultSet rs =
                          s.executeQuery(
                              "INSERT INTO users (name, phone) VALUES ('old app "
                                  + i
                                  + "', '+1-777-"
                                  + i
                                  + "') RETURNING id")) {
                    rs.next();
                    lastWritten.set(rs.getLong(1));
                  }
                  Thread.sleep(5); // pace: one old-app request every few milliseconds
                }
              } catch (Throwable e) {
                writerErrors.add(e);
              }
            },
            "old-app");
    oldApp.start();
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      Map<String, Object> body =
          Map.of(
              "migration",
              Map.of(
                  "name",
                  "phone_rename",
                  "datasource",
                  "app",
                  "operations",
                  List.of(
                      Map.of(
                          "type", "rename_column",
                          "table", "users",
                          "column", "phone",
                          "to", "phone_number")),
                  "backfill",
                  Map.of("batchSize", 500)),
              "deployment",
              Map.of(
                  "service",
                  "checkout",
                  "version",
                  "2.0.0",
                  "overrides",
                  Map.of("batchSize", "50%", "pauseBetweenBatches", "0s")),
              "flagRollout",
              Map.of(
                  "flag",
                  "new-checkout",
                  "variant",
                  "on",
                  "stages",
                  List.of(Map.of("percent", 50, "bake", "1s"), Map.of("percent", 100))),
              "reason",
              "CHG-1: phone_number");
      JsonNode started = api.post("/api/v1/releases", body, "ci-build-41").expect(202).body();
      String release = started.path("id").asText();
      String deployment = started.path("children").path("deployment").asText();
      assertThat(started.path("stage").asText()).isEqualTo("MIGRATION");

      // The release holds the service from the first moment, though it deploys only after the
      // backfill: nothing else deploys checkout meanwhile.
      JsonNode busy =
          api.post("/api/v1/deployments", Map.of("service", "checkout", "version", "9.9.9"))
              .expect(409)
              .body();
      assertThat(busy.path("details").path("deploymentId").asText()).isEqualTo(deployment);
      // A CI retry with the same key gets the same release.
      assertThat(
              api.post("/api/v1/releases", body, "ci-build-41")
                  .expect(202)
                  .body()
                  .path("id")
                  .asText())
          .isEqualTo(release);

      // The worker dies in the middle of the release's deployment; a new one carries it on.
      Awaitility.await("the release's deployment past its first batch")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                SluiceClient.Answer answer = api.get("/api/v1/deployments/" + deployment);
                return answer.status() == 200
                    && answer.body().path("batch").path("current").asInt() >= 1
                    && answer.body().path("state").asText().equals("RUNNING");
              });
      worker.destroyForcibly(); // SIGKILL
      assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
      worker = SeparateWorker.start(config, dir, "worker-2.log", Map.of());

      awaitStage(release, "GATE");
      assertThat(api.get("/api/v1/migrations/app").expect(200).body().path("phase").asText())
          .isEqualTo("WAITING");
      // The migration is the release's: promoted on its own it would contract before the gate.
      JsonNode steer = api.post("/api/v1/migrations/app/promote", null).expect(409).body();
      assertThat(steer.path("error").asText()).isEqualTo("part_of_release");
      assertThat(steer.path("message").asText()).contains("release " + release);
      JsonNode deployed = api.get("/api/v1/deployments/" + deployment).expect(200).body();
      assertThat(deployed.path("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(deployed.path("links").path("release").asText()).endsWith(release);
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(
              api.get("/api/v1/flags/new-checkout/rollouts/current")
                  .expect(200)
                  .body()
                  .path("percent")
                  .asInt())
          .isEqualTo(100);
      // Both app versions' columns agree on every row, including the old app's new ones.
      assertThat(count("SELECT count(*) FROM users WHERE phone_number IS DISTINCT FROM phone"))
          .isZero();

      stopWriter.set(true);
      oldApp.join(10_000);
      // An operator finds the release waiting at its gate and opens it from the command line.
      Run listed = cli.run("releases", "list");
      assertThat(listed.code()).as(listed.err()).isZero();
      assertThat(listed.out()).anyMatch(line -> line.contains(release) && line.contains("RUNNING"));
      Run waiting = cli.run("releases", "get", release, "-o", "json");
      assertThat(waiting.code()).as(waiting.err()).isZero();
      assertThat(JSON.readTree(String.join("\n", waiting.out())).path("stage").asText())
          .isEqualTo("GATE");
      Run migrations = cli.run("migrations", "list");
      assertThat(migrations.out())
          .anyMatch(line -> line.startsWith("app ") && line.contains("WAITING"));
      Run opened =
          cli.run("releases", "control", release, "promote", "--reason", "dashboards green");
      assertThat(opened.code()).as(opened.err()).isZero();
      JsonNode done = awaitStage(release, "COMPLETED");
      assertThat(columns()).contains("phone_number").doesNotContain("phone");
      assertThat(count("SELECT count(*) FROM users"))
          .as("no write lost: ids are a sequence, the old app's last one is the row count")
          .isEqualTo(lastWritten.get());
      assertThat(count("SELECT count(*) FROM users WHERE phone_number IS NULL")).isZero();
      assertThat(stageEvents(done))
          .containsSubsequence("migration", "deployment", "flag_rollout", "gate", "contract");
      api.post("/api/v1/releases/" + release + "/abort", null).expect(409);

      // --- a second release, aborted at its gate ------------------------------------------
      JsonNode second =
          api.post(
                  "/api/v1/releases",
                  Map.of(
                      "migration",
                      Map.of(
                          "name",
                          "phone_digits",
                          "datasource",
                          "app",
                          "operations",
                          List.of(
                              Map.of(
                                  "type",
                                  "add_column",
                                  "table",
                                  "users",
                                  "column",
                                  "phone_digits",
                                  "dataType",
                                  "text",
                                  "up",
                                  "regexp_replace(phone_number, '[^0-9]', '', 'g')"))),
                      "deployment",
                      Map.of(
                          "service",
                          "checkout",
                          "version",
                          "2.1.0",
                          "overrides",
                          Map.of("batchSize", "50%", "pauseBetweenBatches", "0s")),
                      "flagRollout",
                      Map.of(
                          "flag",
                          "fast-search",
                          "variant",
                          "on",
                          "stages",
                          List.of(Map.of("percent", 100)))))
              .expect(202)
              .body();
      String aborted = second.path("id").asText();
      String rollback = second.path("children").path("rollback").asText();
      awaitStage(aborted, "GATE");
      assertThat(stack.versions().values()).containsOnly("2.1.0");
      assertThat(columns()).contains("phone_digits");

      api.post("/api/v1/releases/" + aborted + "/abort", Map.of("reason", "search latency"))
          .expect(202);
      JsonNode undone = awaitStage(aborted, "ROLLED_BACK");
      LoadGenerator.Report report = load.stop();

      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(columns()).doesNotContain("phone_digits").contains("phone_number");
      JsonNode back = api.get("/api/v1/deployments/" + rollback).expect(200).body();
      assertThat(back.path("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(back.path("version").asText()).isEqualTo("2.0.0");
      assertThat(back.path("links").path("release").asText()).endsWith(aborted);
      for (int i = 0; i < 20; i++) {
        assertThat(
                api.post(
                        "/api/v1/flags/fast-search/evaluate",
                        Map.of("context", Map.of("targetingKey", "user-" + i)))
                    .expect(200)
                    .body()
                    .path("value")
                    .asBoolean())
            .as("fast-search for user-%d after the undo", i)
            .isFalse();
      }
      List<String> events = new ArrayList<>();
      undone.path("events").forEach(e -> events.add(e.asText()));
      assertThat(indexOf(events, "fast-search back to 0%"))
          .isLessThan(indexOf(events, "rollback to 2.0.0: SUCCEEDED"));
      assertThat(indexOf(events, "rollback to 2.0.0: SUCCEEDED"))
          .isLessThan(indexOf(events, "migration ROLLED_BACK"));

      JsonNode history = api.get("/api/v1/services/checkout/history").expect(200).body();
      assertThat(history.path("current").asText()).isEqualTo("2.0.0");
      assertThat(report.failed()).as("failed requests: %s", report.failures()).isZero();
      assertThat(report.rate()).isGreaterThanOrEqualTo(100);
      JsonNode audit = api.get("/api/v1/audit?subject=" + aborted).expect(200).body();
      assertThat(audit.path("entries").findValuesAsText("action"))
          .containsExactly("release.abort", "release.start");
      // The app database's password was read from its file inside the migration's activities:
      // it is in no workflow history, no ledger row and neither worker's log.
      SecretScan.assertNoneOf(
          List.of(DB_PASSWORD),
          release,
          new SecretScan.Sources(
              temporal.address(),
              "default",
              postgres.getJdbcUrl("postgres", "postgres"),
              "postgres",
              "postgres",
              List.of(dir.resolve("worker-1.log"), dir.resolve("worker-2.log"))));
    } finally {
      stopWriter.set(true);
      oldApp.join(10_000);
    }
    assertThat(writerErrors).as("the old app's writes").isEmpty();
  }

  static JsonNode awaitStage(String release, String stage) {
    JsonNode[] last = new JsonNode[1];
    try {
      Awaitility.await(release + " at " + stage)
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                // 503 while no worker answers (the killed one's replacement starting up).
                SluiceClient.Answer answer = api.get("/api/v1/releases/" + release);
                if (answer.status() != 200) {
                  return false;
                }
                last[0] = answer.body();
                return last[0].path("stage").asText().equals(stage);
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("release " + release + " never reached " + stage + ": " + last[0]);
    }
    return last[0];
  }

  static List<String> stageEvents(JsonNode release) {
    List<String> stages = new ArrayList<>();
    release.path("events").forEach(e -> stages.add(e.asText().replaceFirst("^\\S+ ", "")));
    return stages;
  }

  static int indexOf(List<String> events, String text) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("no event with \"" + text + "\" in " + events);
  }

  static List<String> columns() throws Exception {
    List<String> columns = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")) {
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
    }
    return columns;
  }

  static long count(String query) throws Exception {
    try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void sql(String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres");
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }
}
