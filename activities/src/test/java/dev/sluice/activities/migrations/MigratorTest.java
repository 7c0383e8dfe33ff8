package dev.sluice.activities.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import dev.sluice.workflows.activities.MigrationActivities.Verified;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.AbstractThrowableAssert;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Expand-contract on a real PostgreSQL (embedded), with the chapter's {@code users.phone →
 * phone_number}: an old app keeps writing {@code phone} while the migration runs.
 */
class MigratorTest {

  static final int ROWS = 5_000;
  @RegisterExtension static final MigrationDatabases postgres = new MigrationDatabases();
  AppDatabase db;
  Datasources datasources;
  String ds;

  @BeforeEach
  void freshDatabase() throws Exception {
    db = postgres.newDatabase();
    ds = db.name();
    datasources = db.datasources();
    sql(
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text, phone text NOT NULL)",
        "INSERT INTO users (name, phone) SELECT 'user ' || g, '+1-555-' || g FROM"
            + " generate_series(1, "
            + ROWS
            + ") g",
        // The test's own counter: how many times the backfill wrote each row.
        "CREATE TABLE backfill_writes (id bigint PRIMARY KEY, n int NOT NULL)",
        "CREATE FUNCTION count_backfill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF current_setting('sluice.backfill', true) = 'on' THEN"
            + " INSERT INTO backfill_writes VALUES (NEW.id, 1)"
            + " ON CONFLICT (id) DO UPDATE SET n = backfill_writes.n + 1; END IF;"
            + " RETURN NEW; END $$",
        "CREATE TRIGGER count_backfill AFTER UPDATE ON users FOR EACH ROW"
            + " EXECUTE FUNCTION count_backfill()");
  }

  MigrationSpec rename(int batchSize) {
    return rename(batchSize, Duration.ZERO);
  }

  MigrationSpec rename(int batchSize, Duration delay) {
    return rename(batchSize, delay, MigrationSpec.Pace.ADAPTIVE);
  }

  MigrationSpec rename(int batchSize, Duration delay, MigrationSpec.Pace pace) {
    return new MigrationSpec(
        "phone_rename",
        ds,
        List.of(MigrationOperation.renameColumn("users", "phone", "phone_number")),
        new MigrationSpec.Backfill(batchSize, delay, Duration.ofMillis(500), null, 0, pace),
        null);
  }

  /** Checks and expands {@code spec}: ready to backfill. */
  void expanded(MigrationSpec spec) throws Exception {
    run(spec, QUIET, m -> m.check(new ArrayList<>()));
    run(
        spec,
        QUIET,
        m -> {
          m.expand();
          return null;
        });
  }

  /** The probe's connections: of its own, to the test's database. */
  Migrator.Connector probes() {
    return () -> datasources.open(ds);
  }

  /** Keeps every batch the backfill reports. */
  static class Batches implements Migrator.Progress {
    final List<Migrator.Batch> batches = new CopyOnWriteArrayList<>();
    final AtomicLong limitNanos = new AtomicLong();

    @Override
    public void beat(String lastKey, long rows) {}

    @Override
    public void probed(long baselineP99Nanos, long limitNanos) {
      this.limitNanos.set(limitNanos);
    }

    @Override
    public void batch(Migrator.Batch batch) {
      batches.add(batch);
    }
  }

  void sql(String... statements) throws SQLException {
    db.sql(statements);
  }

  long count(String query) throws SQLException {
    return db.count(query);
  }

  List<String> columns() throws SQLException {
    return db.strings(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
            + " ORDER BY ordinal_position");
  }

  <T> T run(MigrationSpec spec, Migrator.Progress progress, AppDatabase.Step<T> step)
      throws Exception {
    return db.run(spec, progress, step);
  }

  static final Migrator.Progress QUIET = (k, r) -> {};

  /** The old app: inserts and updates through {@code phone} only, as fast as it can. */
  final class OldApp implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong writes = new AtomicLong();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final Thread thread;

    OldApp() {
      thread =
          new Thread(
              () -> {
                try (Connection c = datasources.open(ds);
                    Statement s = c.createStatement()) {
                  while (!stop.get()) {
                    // Row 1 is the new app's (the test reads back what it wrote there).
                    long id = ThreadLocalRandom.current().nextLong(2, ROWS + 1);
                    s.executeUpdate(
                        "UPDATE users SET phone = 'old-" + writes.get() + "' WHERE id = " + id);
                    s.executeUpdate(
                        "INSERT INTO users (name, phone) VALUES ('new', 'old-ins-"
                            + writes.get()
                            + "')");
                    writes.addAndGet(2);
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
        throw new IllegalStateException(e);
      }
      assertThat(errors).as("the old app's writes all succeeded").isEmpty();
    }
  }

  long inconsistent() throws SQLException {
    return count(
        "SELECT count(*) FROM users WHERE phone_number IS NOT NULL AND phone_number <> phone");
  }

  @Test
  void phoneBecomesPhoneNumberWhileTheOldAppKeepsWritingAndNoWriteIsLost() throws Exception {
    // Batches 50 ms apart: the old app inserts rows between every two of them, and the backfill
    // still ends (at the last key that existed when it began; later rows have the trigger).
    MigrationSpec spec = rename(500, Duration.ofMillis(50));
    List<String> summary = new ArrayList<>();
    assertThat(this.<List<Integer>>run(spec, QUIET, m -> m.check(summary))).containsExactly(0);

    long written;
    try (OldApp old = new OldApp()) {
      run(
          spec,
          QUIET,
          m -> {
            m.expand();
            return null;
          });
      assertThat(columns()).containsExactly("id", "name", "phone", "phone_number");
      assertThat(inconsistent()).as("consistent after expand").isZero();

      Migrator.Result result = run(spec, QUIET, m -> m.backfill(0));
      assertThat(result.rows()).isPositive();
      assertThat(inconsistent()).as("consistent after backfill").isZero();
      assertThat(this.<Long>run(spec, QUIET, m -> m.remaining(0))).isZero();

      // The new app arrives: it writes phone_number; the old one still reads phone.
      sql(
          "UPDATE users SET phone_number = 'new-app' WHERE id = 1",
          "INSERT INTO users (name, phone_number) VALUES ('from new app', 'new-ins')");
      assertThat(
              count("SELECT count(*) FROM users WHERE name = 'from new app' AND phone = 'new-ins'"))
          .as("the new app's insert is visible to the old app")
          .isEqualTo(1);
      assertThat(count("SELECT count(*) FROM users WHERE id = 1 AND phone = 'new-app'"))
          .isEqualTo(1);
      written = old.writes.get();
    }
    assertThat(written).as("the old app wrote during the migration").isPositive();
    assertThat(inconsistent()).isZero();
    assertThat(count("SELECT count(*) FROM users WHERE phone_number IS NULL")).isZero();
    assertThat(count("SELECT max(n) FROM backfill_writes"))
        .as("no row backfilled twice")
        .isEqualTo(1);

    run(
        spec,
        QUIET,
        m -> {
          m.contract();
          return null;
        });
    assertThat(columns()).containsExactly("id", "name", "phone_number");
    assertThat(
            count(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                    + " AND column_name = 'phone_number' AND is_nullable = 'NO'"))
        .as("phone's NOT NULL carried over")
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM pg_proc WHERE proname LIKE 'sluice_phone_rename%'"))
        .as("no function left behind")
        .isZero();
  }

  @Test
  void verifyWithChecksumsFindsCopiesThatDriftedFromTheirSourceAndNullsContractWouldRefuse()
      throws Exception {
    MigrationSpec plain = rename(1000);
    MigrationSpec spec =
        new MigrationSpec(
            plain.name(),
            plain.datasource(),
            plain.operations(),
            plain.backfill(),
            null,
            new MigrationSpec.Verify(true));
    MigrationActivitiesImpl activities = new MigrationActivitiesImpl(datasources);
    activities.check(spec);
    activities.expand(spec);
    activities.backfill(spec, 0);

    Verified clean = activities.verify(spec);
    assertThat(clean.complete()).as("%s", clean).isTrue();
    assertThat(clean.different()).containsEntry(0, 0L);

    // Writes that bypass the sync trigger (as the backfill's own session does): two copies no
    // longer match their source, one of them NULL under a column contract makes NOT NULL.
    sql(
        "SET sluice.backfill = 'on'",
        "UPDATE users SET phone_number = 'tampered' WHERE id = 7",
        "UPDATE users SET phone_number = NULL WHERE id = 8");

    Verified drifted = activities.verify(spec);
    assertThat(drifted.complete()).isFalse();
    assertThat(drifted.different()).containsEntry(0, 2L);
    assertThat(drifted.nullsBeforeNotNull()).containsEntry(0, 1L);
    assertThat(drifted.problems())
        .contains("operation 1: 2 rows differ from their source")
        .contains("operation 1: 1 rows are NULL where contract adds NOT NULL");
    Verified withoutChecksums = activities.verify(plain);
    assertThat(withoutChecksums.different()).as("checksums are asked for").isEmpty();
  }

  @Test
  void rollbackBeforeContractLeavesTheOldSchemaAsItWas() throws Exception {
    MigrationSpec spec = rename(1000);
    run(spec, QUIET, m -> m.check(new ArrayList<>()));
    run(
        spec,
        QUIET,
        m -> {
          m.expand();
          return null;
        });
    run(spec, QUIET, m -> m.backfill(0));

    run(
        spec,
        QUIET,
        m -> {
          m.rollback();
          return null;
        });
    run(
        spec,
        QUIET,
        m -> {
          m.rollback();
          return null;
        }); // again: nothing left to do

    assertThat(columns()).containsExactly("id", "name", "phone");
    assertThat(count("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sluice_%'")).isZero();
    sql("INSERT INTO users (name, phone) VALUES ('after', 'x')");
    assertThat(count("SELECT count(*) FROM users")).isEqualTo(ROWS + 1);
  }

  @Test
  void aBackfillStoppedAfterACommittedBatchResumesThereAndWritesEveryRowOnce() throws Exception {
    MigrationSpec spec = rename(400, Duration.ZERO, MigrationSpec.Pace.FIXED);
    run(spec, QUIET, m -> m.check(new ArrayList<>()));
    run(
        spec,
        QUIET,
        m -> {
          m.expand();
          return null;
        });
    AtomicInteger beats = new AtomicInteger();
    Migrator.Progress dies =
        (lastKey, rows) -> {
          if (beats.incrementAndGet() == 4) {
            throw new IllegalStateException("worker killed after its 4th batch committed");
          }
        };
    assertThatThrownBy(() -> run(spec, dies, m -> m.backfill(0)))
        .hasMessageContaining("worker killed");
    assertThat(count("SELECT count(*) FROM backfill_writes")).isEqualTo(1600);

    Migrator.Result rest = run(spec, QUIET, m -> m.backfill(0));

    assertThat(rest.rows()).as("the rest, not all again").isEqualTo(ROWS - 1600);
    assertThat(count("SELECT count(*) FROM backfill_writes")).isEqualTo(ROWS);
    assertThat(count("SELECT max(n) FROM backfill_writes")).isEqualTo(1);
    assertThat(this.<Long>run(spec, QUIET, m -> m.remaining(0))).isZero();
  }

  @Test
  void anAdaptiveBackfillKilledAfterItsFourthBatchResumesThereAndWritesEveryRowOnce()
      throws Exception {
    // Batches of about 2 ms: many small ones over 5,000 rows, each sized by the one before.
    MigrationSpec spec =
        rename(
            1000,
            Duration.ZERO,
            new MigrationSpec.Pace(false, Duration.ofMillis(2), 50, null, null, null));
    expanded(spec);
    Batches seen =
        new Batches() {
          @Override
          public void batch(Migrator.Batch batch) {
            super.batch(batch);
            if (batches.size() == 4) {
              throw new IllegalStateException("worker killed after its 4th batch committed");
            }
          }
        };
    assertThatThrownBy(() -> run(spec, seen, m -> m.backfill(0, probes())))
        .hasMessageContaining("worker killed");
    long before = seen.batches.stream().mapToLong(Migrator.Batch::rows).sum();
    assertThat(seen.batches).extracting(Migrator.Batch::size).first().isEqualTo(1000);
    assertThat(count("SELECT count(*) FROM backfill_writes")).isEqualTo(before);

    Migrator.Result rest = run(spec, QUIET, m -> m.backfill(0, probes()));

    assertThat(rest.rows()).as("the rest, not all again").isEqualTo(ROWS - before);
    assertThat(count("SELECT count(*) FROM backfill_writes")).isEqualTo(ROWS);
    assertThat(count("SELECT max(n) FROM backfill_writes")).isEqualTo(1);
    assertThat(this.<Long>run(spec, QUIET, m -> m.remaining(0))).isZero();
  }

  @Test
  void theBackfillRestsWhileItsProbeIsSlowerThanMaxSlowdownTimesItsBaseline() throws Exception {
    // A probe that is quick until the first batch has committed, then 20 ms: the database
    // "slowed down" for everyone once the backfill began.
    String probe =
        "SELECT pg_sleep(CASE WHEN EXISTS (SELECT 1 FROM users WHERE phone_number IS NOT NULL)"
            + " THEN 0.02 ELSE 0 END)";
    MigrationSpec spec =
        rename(
            500,
            Duration.ZERO,
            new MigrationSpec.Pace(false, Duration.ofMillis(5), 100, null, null, probe));
    expanded(spec);
    Batches seen = new Batches();

    Migrator.Result result = run(spec, seen, m -> m.backfill(0, probes()));

    assertThat(seen.limitNanos.get()).as("1.5 x a quick probe's p99").isLessThan(20_000_000L);
    List<Migrator.Batch> slow =
        seen.batches.stream().filter(b -> b.probeP99Nanos() >= 20_000_000L).toList();
    assertThat(slow).as("batches judged by slow probes").isNotEmpty();
    assertThat(slow)
        .as("each rested: its duty below 1, a rest of batch x (1 - duty) / duty")
        .allSatisfy(
            b -> {
              assertThat(b.duty()).isLessThan(1);
              assertThat(b.restNanos()).isEqualTo((long) (b.nanos() * (1 - b.duty()) / b.duty()));
            });
    assertThat(seen.batches.stream().mapToDouble(Migrator.Batch::duty).min().orElseThrow())
        .isLessThanOrEqualTo(0.25);
    assertThat(result.rows()).isEqualTo(ROWS);
    assertThat(count("SELECT max(n) FROM backfill_writes")).isEqualTo(1);
  }

  @Test
  void aProbeQueryThatCannotRunFailsTheBackfillNamingTheField() throws Exception {
    MigrationSpec spec =
        rename(
            1000,
            Duration.ZERO,
            new MigrationSpec.Pace(false, null, null, null, null, "SELECT * FROM no_such_table"));
    expanded(spec);

    assertThatThrownBy(() -> run(spec, QUIET, m -> m.backfill(0, probes())))
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageStartingWith("backfill.pace.probeQuery: cannot run:");
    assertThat(count("SELECT count(*) FROM backfill_writes")).isZero();
  }

  @Test
  void aBatchThatCannotGetItsRowLockTimesOutAndIsRetried() throws Exception {
    MigrationSpec spec = rename(1000);
    run(spec, QUIET, m -> m.check(new ArrayList<>()));
    run(
        spec,
        QUIET,
        m -> {
          m.expand();
          return null;
        });
    try (Connection holder = datasources.open(ds)) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("SELECT * FROM users WHERE id = 10 FOR UPDATE");
      }
      // Let go once the backfill has waited for the row twice: its first wait timed out and the
      // batch was tried again.
      Thread release =
          new Thread(
              () -> {
                Set<String> waits = new HashSet<>();
                try (Connection monitor = datasources.open(ds);
                    Statement s = monitor.createStatement()) {
                  Awaitility.await("a lock wait that timed out and a retry")
                      .atMost(Duration.ofSeconds(30))
                      .pollInterval(Duration.ofMillis(20))
                      .until(
                          () -> {
                            try (ResultSet rs =
                                s.executeQuery(
                                    "SELECT waitstart::text FROM pg_locks WHERE NOT granted"
                                        + " AND waitstart IS NOT NULL")) {
                              while (rs.next()) {
                                waits.add(rs.getString(1));
                              }
                            }
                            return waits.size() >= 2;
                          });
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                } finally {
                  try {
                    holder.rollback(); // never leave the backfill waiting forever
                  } catch (SQLException e) {
                    throw new IllegalStateException(e);
                  }
                }
              });
      release.start();
      Migrator.Result result = run(spec, QUIET, m -> m.backfill(0));
      release.join();
      assertThat(result.lockTimeouts()).as("waited out the lock, 500 ms at a time").isPositive();
      assertThat(result.rows()).isEqualTo(ROWS);
    }
  }

  @Test
  void changeTypeAddNotNullIndexAndTableApplyAndContract() throws Exception {
    sql(
        "ALTER TABLE users ADD COLUMN age text", "UPDATE users SET age = (id % 90)::text",
        "ALTER TABLE users ADD COLUMN country text",
            "UPDATE users SET country = 'NZ' WHERE id % 2 = 0");
    MigrationSpec spec =
        new MigrationSpec(
            "many",
            ds,
            List.of(
                MigrationOperation.changeType("users", "age", "integer", null, null),
                MigrationOperation.addNotNull("users", "country", "'unknown'"),
                MigrationOperation.createIndex("users", "users_name_idx", List.of("name"), false),
                MigrationOperation.addColumn(
                    "users", "display", "text", "name || ' <' || phone || '>'", false),
                MigrationOperation.createTable(
                    "audit_log",
                    List.of(
                        new MigrationOperation.ColumnDef("id", "bigserial", false, null, true),
                        new MigrationOperation.ColumnDef("what", "text", null, null, null)))),
            null,
            null);
    assertThat(this.<List<Integer>>run(spec, QUIET, m -> m.check(new ArrayList<>())))
        .containsExactly(0, 1, 3);
    run(
        spec,
        QUIET,
        m -> {
          m.expand();
          return null;
        });
    sql("INSERT INTO users (name, phone, age) VALUES ('old app', '1', '42')");
    for (int i : List.of(0, 1, 3)) {
      final int op = i;
      run(spec, QUIET, m -> m.backfill(op));
      assertThat(this.<Long>run(spec, QUIET, m -> m.remaining(op))).isZero();
    }
    run(
        spec,
        QUIET,
        m -> {
          m.contract();
          return null;
        });

    assertThat(
            count(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                    + " AND column_name = 'age' AND data_type = 'integer'"))
        .isEqualTo(1);
    assertThat(count("SELECT age FROM users WHERE name = 'old app'")).isEqualTo(42);
    assertThat(count("SELECT count(*) FROM users WHERE country = 'unknown'"))
        .isEqualTo(ROWS / 2 + 1);
    assertThat(
            count(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                    + " AND column_name IN ('country', 'display') AND is_nullable = 'NO'"))
        .isEqualTo(2);
    assertThat(count("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_name_idx'"))
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM users WHERE display = 'user 7 <+1-555-7>'"))
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM audit_log")).isZero();
  }

  @Test
  void dropColumnFillsTheOldAppsColumnOnNewInsertsUntilContractDropsIt() throws Exception {
    MigrationSpec spec =
        new MigrationSpec(
            "drop_phone",
            ds,
            List.of(MigrationOperation.dropColumn("users", "phone", "'unknown'")),
            null,
            null);
    assertThat(this.<List<Integer>>run(spec, QUIET, m -> m.check(new ArrayList<>()))).isEmpty();
    run(
        spec,
        QUIET,
        m -> {
          m.expand();
          return null;
        });
    // The new app no longer knows phone; phone is NOT NULL for the old app's sake.
    sql("INSERT INTO users (name) VALUES ('from new app')");
    assertThat(
            count("SELECT count(*) FROM users WHERE name = 'from new app' AND phone = 'unknown'"))
        .isEqualTo(1);

    run(
        spec,
        QUIET,
        m -> {
          m.contract();
          return null;
        });
    assertThat(columns()).containsExactly("id", "name");
    assertThat(count("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sluice_%'")).isZero();
  }

  @Test
  void specsThatCannotApplyAreRefusedNamingTheField() throws Exception {
    assertThatCheckOf(MigrationOperation.renameColumn("users", "mobile", "phone_number"))
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessage("operations[0].column: no column users.mobile");
    assertThatCheckOf(MigrationOperation.addColumn("users", "n", "int", "no_such(phone)", null))
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageStartingWith("operations[0].up: does not compile over users");
    assertThatCheckOf(MigrationOperation.renameColumn("people", "a", "b"))
        .hasMessage("operations[0].table: no table people");
    assertThat(columns()).containsExactly("id", "name", "phone");
  }

  /** What the check of a spec of {@code op} alone throws. */
  AbstractThrowableAssert<?, ? extends Throwable> assertThatCheckOf(MigrationOperation op) {
    return assertThatThrownBy(
        () ->
            run(
                new MigrationSpec("x", ds, List.of(op), null, null),
                QUIET,
                m -> m.check(new ArrayList<>())));
  }
}
