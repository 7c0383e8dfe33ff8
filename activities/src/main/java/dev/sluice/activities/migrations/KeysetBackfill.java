package dev.sluice.activities.migrations;

import dev.sluice.activities.migrations.Migrator.Result;
import dev.sluice.model.MigrationSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The copy of old columns into new ones, in small transactions paged by primary key (keyset, not
 * OFFSET). Its position is stored with each batch in {@code sluice_migration_progress}, in the same
 * transaction, so a batch is never applied twice whatever happens to the worker; a batch that times
 * out waiting for a lock is rolled back and run again after a backoff. How big each batch is and
 * how long it rests after one is {@link BackfillPacer}'s decision.
 */
final class KeysetBackfill {

  static final String PROGRESS_TABLE = "sluice_migration_progress";

  /** How long the probe runs with the backfill idle before the first batch. */
  static final Duration PROBE_BASELINE = Duration.ofSeconds(1);

  private static final long[] NO_PROBES = {};

  /**
   * What the backfill of one operation sets: {@code column} of {@code table} to {@code value} (an
   * expression over the row, aliased {@code sluice_row}), in pages of {@code key}.
   */
  record Fill(String table, String key, String keyType, String column, String value) {}

  private final Database db;
  private final Connection c;
  private final MigrationSpec spec;

  KeysetBackfill(Database db) {
    this.db = db;
    this.c = db.c;
    this.spec = db.spec;
  }

  static String cast(String expr, String type) {
    return "CAST((" + expr + ") AS " + type + ")";
  }

  /** Where each backfill stands; created at expand, before any backfill runs. */
  void createProgressTable() throws SQLException {
    db.ddl(
        "CREATE TABLE IF NOT EXISTS "
            + PROGRESS_TABLE
            + " (migration text NOT NULL, operation int NOT NULL, last_key text, rows bigint NOT NULL"
            + " DEFAULT 0, batches bigint NOT NULL DEFAULT 0, PRIMARY KEY (migration, operation))");
  }

  /**
   * Backfills operation {@code i} as {@code f} says, from where it stopped, paced by {@link
   * BackfillPacer}; with an adaptive pace and {@code probes}, a {@link LatencyProbe} runs on a
   * connection from it while the backfill does.
   */
  Result run(int i, Fill f, Migrator.Connector probes) throws SQLException, InterruptedException {
    MigrationSpec.Backfill settings = spec.backfill();
    if (probes == null || settings.pace().fixed()) {
      return run(i, f, settings, null);
    }
    LatencyProbe probe;
    try {
      probe = LatencyProbe.start(probes, settings.pace().probeQuery());
    } catch (SQLException e) {
      if (Database.retryable(e) || e.getSQLState() == null || e.getSQLState().startsWith("08")) {
        throw e; // the database, not the query: the activity's retry will do
      }
      throw new InvalidMigrationException(
          "backfill.pace.probeQuery", "cannot run: " + e.getMessage());
    }
    try (probe) {
      return run(i, f, settings, probe);
    }
  }

  private Result run(int i, Fill f, MigrationSpec.Backfill settings, LatencyProbe probe)
      throws SQLException, InterruptedException {
    String lastKey = position(i);
    long rows = 0;
    long batches = 0;
    long lockTimeouts = 0;
    // Rows inserted after expand get their new column from the trigger: the backfill stops at
    // the last key that existed when it began, instead of chasing a table that keeps growing.
    String end;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(" + f.key() + ")::text FROM " + f.table())) {
      rs.next();
      end = rs.getString(1);
    }
    if (end == null) {
      return new Result(0, 0, 0);
    }
    String bounded = f.key() + " <= CAST(? AS " + f.keyType() + ")";
    String select =
        String.format(
            "SELECT max(%1$s)::text FROM (SELECT %1$s FROM %2$s WHERE %1$s > CAST(? AS %3$s)"
                + " AND %4$s ORDER BY %1$s LIMIT ?) AS b",
            f.key(), f.table(), f.keyType(), bounded);
    String first =
        String.format(
            "SELECT max(%1$s)::text FROM (SELECT %1$s FROM %2$s WHERE %3$s ORDER BY %1$s"
                + " LIMIT ?) AS b",
            f.key(), f.table(), bounded);
    String update =
        "UPDATE "
            + f.table()
            + " AS sluice_row SET "
            + f.column()
            + " = "
            + f.value()
            + " WHERE "
            + f.key()
            + " > CAST(? AS "
            + f.keyType()
            + ") AND "
            + f.key()
            + " <= CAST(? AS "
            + f.keyType()
            + ") AND "
            + f.column()
            + " IS NULL";
    String updateFirst =
        "UPDATE "
            + f.table()
            + " AS sluice_row SET "
            + f.column()
            + " = "
            + f.value()
            + " WHERE "
            + f.key()
            + " <= CAST(? AS "
            + f.keyType()
            + ") AND "
            + f.column()
            + " IS NULL";
    BackfillPacer pacer = new BackfillPacer(settings.batchSize(), settings.pace());
    if (probe != null) {
      // The probe's latencies with the backfill idle are what "slower" is measured against.
      db.pause(PROBE_BASELINE, lastKey, rows);
      pacer.baseline(probe.drain());
      db.progress.probed(pacer.baselineP99Nanos(), pacer.limitNanos());
    }
    Duration backoff = Duration.ofMillis(100);
    while (true) {
      throttle(settings, lastKey, rows);
      int size = pacer.batchSize();
      int changed;
      long took;
      c.setAutoCommit(false);
      long began = System.nanoTime();
      try {
        try (Statement s = c.createStatement()) {
          s.execute("SET LOCAL lock_timeout = '" + settings.lockTimeout().toMillis() + "ms'");
          s.execute("SET LOCAL sluice.backfill = 'on'");
        }
        String hi;
        try (PreparedStatement ps = c.prepareStatement(lastKey == null ? first : select)) {
          int n = 1;
          if (lastKey != null) {
            ps.setString(n++, lastKey);
          }
          ps.setString(n++, end);
          ps.setInt(n, size);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            hi = rs.getString(1);
          }
        }
        if (hi == null) {
          c.rollback();
          return new Result(rows, batches, lockTimeouts);
        }
        try (PreparedStatement ps = c.prepareStatement(lastKey == null ? updateFirst : update)) {
          int n = 1;
          if (lastKey != null) {
            ps.setString(n++, lastKey);
          }
          ps.setString(n, hi);
          changed = ps.executeUpdate();
        }
        record(i, hi, changed);
        c.commit();
        took = System.nanoTime() - began;
        lastKey = hi;
        rows += changed;
        batches++;
        backoff = Duration.ofMillis(100);
      } catch (SQLException e) {
        c.rollback();
        if (!Database.retryable(e)) {
          throw e;
        }
        lockTimeouts++;
        pacer.afterLockTimeout();
        db.pause(backoff, lastKey, rows);
        backoff =
            backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0
                ? Duration.ofSeconds(10)
                : backoff.multipliedBy(2);
        continue;
      } finally {
        c.setAutoCommit(true);
      }
      BackfillPacer.Step step =
          pacer.afterBatch(size, took, probe == null ? NO_PROBES : probe.drain());
      db.progress.batch(
          new Migrator.Batch(
              size, changed, took, step.restNanos(), step.duty(), step.probeP99Nanos()));
      db.progress.beat(lastKey, rows);
      Duration rest = settings.delay().plusNanos(step.restNanos());
      if (!rest.isZero()) {
        db.pause(rest, lastKey, rows);
      }
    }
  }

  /** Where the backfill of {@code i} stopped (null: it has not begun). */
  private String position(int i) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT last_key FROM " + PROGRESS_TABLE + " WHERE migration = ? AND operation = ?")) {
      ps.setString(1, spec.name());
      ps.setInt(2, i);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private void record(int i, String lastKey, int changed) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + PROGRESS_TABLE
                + " (migration, operation, last_key, rows, batches)"
                + " VALUES (?, ?, ?, ?, 1) ON CONFLICT (migration, operation) DO UPDATE SET"
                + " last_key = EXCLUDED.last_key, rows = "
                + PROGRESS_TABLE
                + ".rows + EXCLUDED.rows,"
                + " batches = "
                + PROGRESS_TABLE
                + ".batches + 1")) {
      ps.setString(1, spec.name());
      ps.setInt(2, i);
      ps.setString(3, lastKey);
      ps.setLong(4, changed);
      ps.executeUpdate();
    }
  }

  private void throttle(MigrationSpec.Backfill settings, String lastKey, long rows)
      throws SQLException, InterruptedException {
    if (settings.throttleQuery() == null) {
      return;
    }
    while (true) {
      double load;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(settings.throttleQuery())) {
        load = rs.next() ? rs.getDouble(1) : 0;
      }
      if (load <= settings.throttleAbove()) {
        return;
      }
      db.pause(Duration.ofSeconds(1), lastKey, rows);
    }
  }

  /** Forgets where this migration's backfills stood (at contract and rollback). */
  void forgetProgress() throws SQLException {
    if (!Catalog.tableExists(c, PROGRESS_TABLE)) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM " + PROGRESS_TABLE + " WHERE migration = ?")) {
      ps.setString(1, spec.name());
      ps.executeUpdate();
    }
  }
}
