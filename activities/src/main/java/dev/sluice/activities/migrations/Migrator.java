package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.SyncTriggers.dropSync;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.activities.migrations.KeysetBackfill.Fill;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Expand-contract on PostgreSQL, as pgroll and Reshape do it without their versioned views: new
 * columns next to the old ones, a trigger per operation keeping both right whichever app version
 * writes, a keyset backfill in small transactions, and the old columns dropped only at contract.
 *
 * <p>Objects it creates are named {@code sluice_<migration>_<n>} (n: the operation, from 1): the
 * trigger, its function, and {@code _up}/{@code _down} functions of the row that compute the new
 * column from the old ones and back. The backfill sets {@code sluice.backfill} in its transactions
 * so the triggers leave its writes alone. Its position is stored with each batch in {@code
 * sluice_migration_progress}, in the same transaction, so a batch is never applied twice whatever
 * happens to the worker.
 *
 * <p>Every DDL statement runs with a short {@code lock_timeout} and is retried with backoff on a
 * lock timeout, so a migration waiting for a lock never queues the application's queries behind it
 * for long (the classic ALTER TABLE outage).
 *
 * <p>This class walks the phases; what each type of operation does in them is its {@link Operation}
 * ({@link OperationType} names them), the DDL runs through {@link Database}, the triggers are
 * {@link SyncTriggers}' and the copy is {@link KeysetBackfill}'s.
 */
public final class Migrator {

  /** Told of progress so callers can heartbeat; may throw to stop (cancellation). */
  public interface Progress {
    void beat(String lastKey, long rows);

    /** The probe's p99 before the first batch, and the p99 it is held to (adaptive pace only). */
    default void probed(long baselineP99Nanos, long limitNanos) {}

    /** A batch committed, and what the pace chose after it. */
    default void batch(Batch batch) {}
  }

  /**
   * One committed batch.
   *
   * @param size rows asked for
   * @param rows rows it changed
   * @param nanos from its first statement to its commit
   * @param restNanos the rest the pace takes after it (the spec's {@code delay} not included)
   * @param duty the share of time the pace lets the backfill work now
   * @param probeP99Nanos p99 of the probes the pace judged by (0: none)
   */
  public record Batch(
      int size, int rows, long nanos, long restNanos, double duty, long probeP99Nanos) {}

  /** Opens a connection of its own to the migrated database (for the backfill's probe). */
  public interface Connector {
    Connection open() throws SQLException;
  }

  private final Connection c;
  private final MigrationSpec spec;
  private final Database db;
  private final KeysetBackfill keyset;

  public Migrator(Connection c, MigrationSpec spec, Progress progress) {
    this.c = c;
    this.spec = spec;
    this.db = new Database(c, spec, progress);
    this.keyset = new KeysetBackfill(db);
  }

  static boolean isPostgres(Connection c) throws SQLException {
    return c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
  }

  /** The operation of {@code op}'s type, if it has one. */
  private static Optional<Operation> known(MigrationOperation op) {
    return OperationType.from(op.type()).map(OperationType::operation);
  }

  /** The operation of {@code op}'s type: {@link SpecCheck} lets no other through. */
  private static Operation operation(MigrationOperation op) {
    return known(op).orElseThrow(() -> new IllegalStateException(op.type()));
  }

  /** The operations that need a backfill, by index. */
  public static List<Integer> backfills(MigrationSpec spec) {
    List<Integer> backfills = new ArrayList<>();
    for (int i = 0; i < spec.operations().size(); i++) {
      MigrationOperation op = spec.operations().get(i);
      if (known(op).map(o -> o.needsBackfill(op)).orElse(false)) {
        backfills.add(i);
      }
    }
    return backfills;
  }

  // --- check -----------------------------------------------------------------------------------

  /** Checks every operation against the catalog; returns the indexes needing a backfill. */
  public List<Integer> check(List<String> summary) throws SQLException {
    SpecCheck.check(spec);
    if (!isPostgres(c)) {
      throw new UnsupportedByDatabaseException(
          c.getMetaData().getDatabaseProductName()
              + " is not supported for schema migrations: they need PL/pgSQL triggers to keep old"
              + " and new columns in sync, CREATE INDEX CONCURRENTLY and lock_timeout; run them on"
              + " PostgreSQL");
    }
    List<Integer> backfills = new ArrayList<>();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < spec.operations().size(); i++) {
      MigrationOperation op = spec.operations().get(i);
      Operation operation = operation(op);
      String at = "operations[" + i + "]";
      Map<String, Column> cols = Catalog.columns(c, op.table());
      if (cols == null && !operation.createsTable()) {
        if (created.contains(op.table())) {
          summary.add(at + ": " + op.type() + " on " + op.table() + " (created above)");
          continue;
        }
        throw new InvalidMigrationException(at + ".table", "no table " + op.table());
      }
      String line = operation.check(db, at, op, cols);
      if (operation.needsBackfill(op)) {
        backfills.add(keyed(at, i, op.table()));
      }
      if (operation.createsTable()) {
        created.add(op.table());
      }
      summary.add(line);
    }
    return backfills;
  }

  private int keyed(String at, int index, String table) throws SQLException {
    if (Catalog.primaryKey(c, table).size() != 1) {
      throw new InvalidMigrationException(
          at + ".table", table + " needs a one-column primary key: the backfill pages by it");
    }
    return index;
  }

  // --- expand ----------------------------------------------------------------------------------

  public void expand() throws SQLException {
    keyset.createProgressTable();
    for (int i = 0; i < spec.operations().size(); i++) {
      MigrationOperation op = spec.operations().get(i);
      operation(op).expand(db, i, op);
    }
  }

  // --- backfill --------------------------------------------------------------------------------

  /** Rows changed, batches run and lock timeouts waited out by one backfill. */
  public record Result(long rows, long batches, long lockTimeouts) {}

  private Fill fill(int i) throws SQLException {
    MigrationOperation op = spec.operations().get(i);
    Map<String, Column> cols = Catalog.columns(c, op.table());
    String key = Catalog.primaryKey(c, op.table()).get(0);
    String keyType = cols.get(key).type();
    Optional<Operation> operation = known(op);
    if (operation.isEmpty()) {
      throw new IllegalArgumentException(op.type() + " has no backfill");
    }
    return operation.get().fill(op, cols, key, keyType);
  }

  /** Backfills operation {@code i}, sizing batches by their time only (no probe). */
  public Result backfill(int i) throws SQLException, InterruptedException {
    return keyset.run(i, fill(i), null);
  }

  /**
   * Backfills operation {@code i}, resting while a probe on a connection from {@code probes} says
   * the database is slower than before the backfill began (adaptive pace; ignored when fixed).
   */
  public Result backfill(int i, Connector probes) throws SQLException, InterruptedException {
    return keyset.run(i, fill(i), probes);
  }

  // --- verify ----------------------------------------------------------------------------------

  /** Rows the backfill of {@code i} should have set and did not. */
  public long remaining(int i) throws SQLException {
    Fill f = fill(i);
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM "
                    + f.table()
                    + " AS sluice_row WHERE "
                    + f.column()
                    + " IS NULL AND "
                    + f.value()
                    + " IS NOT NULL")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Rows whose copy differs from its source (checksums): a renamed column from the old one, a
   * retyped column from the old value converted. 0 for operations that copy nothing exactly (an
   * added column's {@code up} is only its value until the new app writes its own).
   */
  public long different(int i) throws SQLException {
    MigrationOperation op = spec.operations().get(i);
    if (!known(op).map(Operation::copiesExactly).orElse(false)) {
      return 0;
    }
    Fill f = fill(i);
    return count(
        "SELECT count(*) FROM "
            + f.table()
            + " AS sluice_row WHERE "
            + f.column()
            + " IS DISTINCT FROM "
            + f.value());
  }

  /** Rows that are NULL in the column contract will make NOT NULL (0 when it adds none). */
  public long nullsBeforeNotNull(int i) throws SQLException {
    MigrationOperation op = spec.operations().get(i);
    Map<String, Column> cols = Catalog.columns(c, op.table());
    boolean oldNotNull = cols.containsKey(op.column()) && cols.get(op.column()).notNull();
    String column = known(op).map(o -> o.notNullAtContract(op, oldNotNull)).orElse(null);
    if (column == null || !cols.containsKey(column)) {
      return 0;
    }
    return count("SELECT count(*) FROM " + op.table() + " WHERE " + column + " IS NULL");
  }

  private long count(String query) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // --- contract and rollback -------------------------------------------------------------------

  public void contract() throws SQLException {
    for (int i = 0; i < spec.operations().size(); i++) {
      MigrationOperation op = spec.operations().get(i);
      operation(op).contract(db, i, op);
    }
    keyset.forgetProgress();
  }

  /**
   * Undoes what expand left, newest operation first. On a database other than PostgreSQL there is
   * nothing to undo ({@link #check} refuses it before anything runs), and the catalog queries would
   * fail on every retry, so it returns at once.
   */
  public void rollback() throws SQLException {
    if (!isPostgres(c)) {
      return;
    }
    for (int i = spec.operations().size() - 1; i >= 0; i--) {
      MigrationOperation op = spec.operations().get(i);
      if (!Catalog.tableExists(c, op.table())) {
        continue;
      }
      dropSync(db, i, op.table());
      operation(op).rollback(db, op);
    }
    keyset.forgetProgress();
  }
}
