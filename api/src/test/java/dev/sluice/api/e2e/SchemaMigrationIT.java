package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.worker.TemporalBackend;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chapter's {@code users.phone → phone_number} through the REST API on real PostgreSQL, with
 * the worker SIGKILLed in the middle of the backfill and an old app writing {@code phone}
 * throughout: the new worker resumes from the last committed batch, every row is backfilled exactly
 * once (a counter the test adds), no write is lost, and after promote the contract drops {@code
 * phone}; an abort after that is refused.
 */
class SchemaMigrationIT {

  static final int ROWS = 6_000;

  /** The worker reads the app database's password from here, as configured. */
  static final Map<String, String> WORKER_ENV = Map.of("SLUICE_TEST_APP_DB_PASSWORD", "postgres");

  @TempDir Path dir;

  private EmbeddedPostgres postgres;
  private TemporalBackend temporal;
  private SluiceApplication.Running api;
  private Process worker;
  private String appUrl;

  @Test
  void aKilledWorkerResumesTheBackfillWhereItStoppedAndEveryRowIsBackfilledOnce() throws Exception {
    SeparateWorker.reportingWorkerLogs(
        dir, this::scenario, () -> "\nbatches: " + batches() + "\nactivity: " + activity());
  }

  private void scenario() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE app");
    }
    appUrl = postgres.getJdbcUrl("postgres", "app");
    sql(
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text, phone text NOT NULL)",
        "INSERT INTO users (name, phone) SELECT 'user ' || g, '+1-555-' || g"
            + " FROM generate_series(1, "
            + ROWS
            + ") g",
        "CREATE TABLE backfill_writes (id bigint PRIMARY KEY, n int NOT NULL)",
        "CREATE FUNCTION count_backfill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF current_setting('sluice.backfill', true) = 'on' THEN"
            + " INSERT INTO backfill_writes VALUES (NEW.id, 1)"
            + " ON CONFLICT (id) DO UPDATE SET n = backfill_writes.n + 1; END IF;"
            + " RETURN NEW; END $$",
        "CREATE TRIGGER count_backfill AFTER UPDATE ON users FOR EACH ROW"
            + " EXECUTE FUNCTION count_backfill()");

    temporal = SeparateWorker.startDevServer(dir);
    int port = LocalStack.freePort();
    Path config =
        SeparateWorker.writeConfig(
            dir,
            port,
            postgres.getJdbcUrl("postgres", "postgres"),
            temporal.address(),
            """
            migrations:
              datasources:
                app: {url: "%s", user: postgres, passwordEnv: SLUICE_TEST_APP_DB_PASSWORD}
            """
                .formatted(appUrl));
    api = SluiceApplication.startServer(config);
    SluiceClient client = new SluiceClient(URI.create("http://127.0.0.1:" + port), "ci");

    Map<String, Object> spec =
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
            // 30 batches a quarter of a second apart (a fixed pace: an adaptive one would grow
            // them): time to kill the worker in the middle.
            "backfill",
            Map.of("batchSize", 200, "delay", "250ms", "pace", Map.of("adaptive", false)));

    JsonNode bad =
        client
            .post("/api/v1/migrations", Map.of("name", "Bad Name", "datasource", "app"))
            .expect(400)
            .body();
    assertThat(bad.path("field").asText()).isEqualTo("name");
    JsonNode unknownDs =
        client
            .post(
                "/api/v1/migrations",
                Map.of("name", "x", "datasource", "nope", "operations", spec.get("operations")))
            .expect(400)
            .body();
    assertThat(unknownDs.path("field").asText()).isEqualTo("datasource");

    try (OldApp old = new OldApp()) {
      worker = SeparateWorker.start(config, dir, "worker-1.log", WORKER_ENV);
      client.post("/api/v1/migrations", spec).expect(202);
      client.post("/api/v1/migrations", spec).expect(409); // one at a time per database

      Awaitility.await("a few backfill batches committed")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> batches() >= 5);
      worker.destroyForcibly(); // SIGKILL
      assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long atKill = batches();
      assertThat(atKill).as("killed in the middle").isLessThan(ROWS / 200);

      worker = SeparateWorker.start(config, dir, "worker-2.log", WORKER_ENV);
      Awaitility.await("the gate after backfill and verify")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> phase(client), phase -> phase.equals("WAITING") || phase.equals("ROLLED_BACK"));
      JsonNode waiting = client.get("/api/v1/migrations/app").expect(200).body();
      assertThat(waiting.path("phase").asText())
          .as("%s%n%s", waiting, SeparateWorker.tail(dir, "worker-2.log"))
          .isEqualTo("WAITING");
      assertThat(count("SELECT count(*) FROM users WHERE phone_number IS DISTINCT FROM phone"))
          .as("both columns agree, the old app's writes included")
          .isZero();
      assertThat(count("SELECT max(n) FROM backfill_writes"))
          .as("no row backfilled twice")
          .isEqualTo(1);
      assertThat(count("SELECT count(*) FROM backfill_writes"))
          .as("the original rows were all backfilled (or written by the old app first)")
          .isLessThanOrEqualTo(ROWS)
          .isGreaterThan(ROWS / 2);
      assertThat(old.writes.get()).as("the old app wrote throughout").isPositive();
    }

    client
        .post("/api/v1/migrations/app/promote", Map.of("reason", "2.0 fully deployed"))
        .expect(202);
    Awaitility.await("contract")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> phase(client), phase -> phase.equals("COMPLETED"));
    assertThat(columns()).containsExactly("id", "name", "phone_number");
    JsonNode refused =
        client
            .post("/api/v1/migrations/app/abort", Map.of("reason", "too late"))
            .expect(409)
            .body();
    assertThat(refused.path("message").asText()).contains("cannot be rolled back");
    JsonNode audit = client.get("/api/v1/audit").expect(200).body();
    assertThat(audit.toString()).contains("migration.start").contains("migration.promote");
  }

  /** The old app: writes phone only, on random rows and new ones, until closed. */
  final class OldApp implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong writes = new AtomicLong();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final Thread thread;

    OldApp() {
      thread =
          new Thread(
              () -> {
                try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres");
                    Statement s = c.createStatement()) {
                  while (!stop.get()) {
                    long id = ThreadLocalRandom.current().nextLong(1, ROWS + 1);
                    s.executeUpdate(
                        "UPDATE users SET phone = 'old-" + writes.get() + "' WHERE id = " + id);
                    s.executeUpdate(
                        "INSERT INTO users (name, phone) VALUES ('later', 'ins-"
                            + writes.get()
                            + "')");
                    writes.addAndGet(2);
                    Thread.sleep(5); // pace the old app: load, not a wait for anything
                  }
                } catch (Throwable e) {
                  errors.add(e);
                }
              },
              "old-app");
      thread.start();
    }

    @Override
    public void close() {
      stop.set(true);
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertThat(errors).as("every write of the old app succeeded").isEmpty();
    }
  }

  private void sql(String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres");
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private long count(String query) throws Exception {
    try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String activity() throws Exception {
    StringBuilder out = new StringBuilder();
    try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pid, state, wait_event_type, wait_event, left(query, 120) FROM"
                    + " pg_stat_activity WHERE datname = 'app'")) {
      while (rs.next()) {
        out.append(
            String.format(
                "%n  %s %s %s %s %s",
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5)));
      }
    }
    return out.toString();
  }

  private long batches() throws Exception {
    if (count("SELECT count(*) FROM pg_class WHERE relname = 'sluice_migration_progress'") == 0) {
      return 0;
    }
    return count("SELECT coalesce(sum(batches), 0) FROM sluice_migration_progress");
  }

  private List<String> columns() throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(appUrl, "postgres", "postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
                    + " ORDER BY ordinal_position")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  @AfterEach
  void stopEverything() throws Exception {
    SeparateWorker.stop(worker);
    if (api != null) {
      api.close();
    }
    if (temporal != null) {
      temporal.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  /** The migration's phase; "unanswered" while no worker answers (a new one starting up). */
  private static String phase(SluiceClient client) {
    SluiceClient.Answer answer = client.get("/api/v1/migrations/app");
    return answer.status() == 200 ? answer.body().path("phase").asText() : "unanswered";
  }
}
