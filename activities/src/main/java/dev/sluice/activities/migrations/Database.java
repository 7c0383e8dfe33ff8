package dev.sluice.activities.migrations;

import dev.sluice.model.MigrationSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * The database a migration changes, as its phases use it: DDL under a short {@code lock_timeout}
 * retried with backoff on a lock timeout (so a migration waiting for a lock never queues the
 * application's queries behind it for long — the classic ALTER TABLE outage), and the names of the
 * objects the migration creates.
 */
final class Database {

  final Connection c;
  final MigrationSpec spec;
  final Migrator.Progress progress;

  Database(Connection c, MigrationSpec spec, Migrator.Progress progress) {
    this.c = c;
    this.spec = spec;
    this.progress = progress;
  }

  /** What operation {@code index}'s objects are named: {@code sluice_<migration>_<n>}. */
  String prefix(int index) {
    return "sluice_" + spec.name() + "_" + (index + 1);
  }

  static String schemaOf(String table) {
    int dot = table.indexOf('.');
    return dot < 0 ? "" : table.substring(0, dot + 1);
  }

  /** NOT NULL without a long lock: CHECK NOT VALID, VALIDATE (no write lock), then SET NOT NULL. */
  void notNull(int i, String table, String column) throws SQLException {
    String check = prefix(i) + "_not_null";
    if (!Catalog.constraintExists(c, table, check)) {
      ddl(
          "ALTER TABLE "
              + table
              + " ADD CONSTRAINT "
              + check
              + " CHECK ("
              + column
              + " IS NOT NULL) NOT VALID");
    }
    ddl("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + check);
    ddl("ALTER TABLE " + table + " ALTER COLUMN " + column + " SET NOT NULL");
    ddl("ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + check);
  }

  /**
   * One DDL statement in autocommit (CONCURRENTLY needs it) under a short lock_timeout, retried
   * with backoff when it cannot get its lock in time.
   */
  void ddl(String sql) throws SQLException {
    runWithLockRetries(
        () -> {
          try (Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = '" + spec.backfill().lockTimeout().toMillis() + "ms'");
            try {
              s.execute(sql);
            } finally {
              s.execute("RESET lock_timeout");
            }
          }
        });
  }

  void inTransaction(List<String> statements) throws SQLException {
    runWithLockRetries(
        () -> {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.execute(
                "SET LOCAL lock_timeout = '" + spec.backfill().lockTimeout().toMillis() + "ms'");
            for (String sql : statements) {
              s.execute(sql);
            }
            c.commit();
          } catch (SQLException e) {
            c.rollback();
            throw e;
          } finally {
            c.setAutoCommit(true);
          }
        });
  }

  private interface SqlWork {
    void run() throws SQLException;
  }

  private void runWithLockRetries(SqlWork work) throws SQLException {
    Duration backoff = Duration.ofMillis(100);
    while (true) {
      try {
        work.run();
        return;
      } catch (SQLException e) {
        if (!retryable(e)) {
          throw e;
        }
        try {
          pause(backoff, null, 0);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0
                ? Duration.ofSeconds(10)
                : backoff.multipliedBy(2);
      }
    }
  }

  /** Lock timeouts, deadlocks and serialization failures: the batch can simply run again. */
  static boolean retryable(SQLException e) {
    String state = e.getSQLState();
    return "55P03".equals(state) || "40P01".equals(state) || "40001".equals(state);
  }

  /** Waits {@code d}, telling progress at least every 5 s (so heartbeats go on). */
  void pause(Duration d, String lastKey, long rows) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (true) {
      progress.beat(lastKey, rows);
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Thread.sleep(Math.min(left / 1_000_000 + 1, 5_000));
    }
  }
}
