package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.CatalogChecks.absent;
import static dev.sluice.activities.migrations.CatalogChecks.expression;
import static dev.sluice.activities.migrations.CatalogChecks.present;
import static dev.sluice.activities.migrations.CatalogChecks.type;
import static dev.sluice.activities.migrations.Database.schemaOf;
import static dev.sluice.activities.migrations.KeysetBackfill.cast;
import static dev.sluice.activities.migrations.SyncTriggers.dropSync;
import static dev.sluice.activities.migrations.SyncTriggers.fillTrigger;
import static dev.sluice.activities.migrations.SyncTriggers.pairTrigger;
import static dev.sluice.activities.migrations.SyncTriggers.rowFunction;
import static dev.sluice.activities.migrations.SyncTriggers.viaFunctions;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.activities.migrations.KeysetBackfill.Fill;
import dev.sluice.activities.migrations.SyncTriggers.Sync;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationOperation.ColumnDef;
import dev.sluice.model.MigrationSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

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
 */
public final class Migrator {

  /** Told of progress so callers can heartbeat; may throw to stop (cancellation). */
  public interface Progress {
    void beat(String lastKey, long rows);
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

  /** The operations that need a backfill, by index. */
  public static List<Integer> backfills(MigrationSpec spec) {
    List<Integer> backfills = new ArrayList<>();
    for (int i = 0; i < spec.operations().size(); i++) {
      MigrationOperation op = spec.operations().get(i);
      switch (op.type()) {
        case "add_column" -> {
          if (op.up() != null) {
            backfills.add(i);
          }
        }
        case "rename_column", "change_type", "add_not_null" -> backfills.add(i);
        default -> {}
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
      String at = "operations[" + i + "]";
      Map<String, Column> cols = Catalog.columns(c, op.table());
      if (op.type().equals("create_table")) {
        if (cols != null) {
          throw new InvalidMigrationException(at + ".table", op.table() + " already exists");
        }
        created.add(op.table());
        summary.add(at + ": create table " + op.table());
        continue;
      }
      if (cols == null) {
        if (created.contains(op.table())) {
          summary.add(at + ": " + op.type() + " on " + op.table() + " (created above)");
          continue;
        }
        throw new InvalidMigrationException(at + ".table", "no table " + op.table());
      }
      switch (op.type()) {
        case "add_column" -> {
          absent(at + ".column", cols, op.table(), op.column());
          type(c, at + ".dataType", op.dataType());
          if (op.up() != null) {
            expression(c, at + ".up", op.table(), op.up(), op.dataType());
            backfills.add(keyed(at, i, op.table()));
          }
          summary.add(at + ": add column " + op.table() + "." + op.column() + " " + op.dataType());
        }
        case "rename_column" -> {
          present(at + ".column", cols, op.table(), op.column());
          absent(at + ".to", cols, op.table(), op.to());
          backfills.add(keyed(at, i, op.table()));
          summary.add(
              at
                  + ": rename "
                  + op.table()
                  + "."
                  + op.column()
                  + " to "
                  + op.to()
                  + " (both kept in sync until contract)");
        }
        case "change_type" -> {
          Column col = present(at + ".column", cols, op.table(), op.column());
          type(c, at + ".dataType", op.dataType());
          expression(c, at + ".up", op.table(), up(op, col), op.dataType());
          backfills.add(keyed(at, i, op.table()));
          summary.add(
              at
                  + ": change "
                  + op.table()
                  + "."
                  + op.column()
                  + " from "
                  + col.type()
                  + " to "
                  + op.dataType());
        }
        case "add_not_null" -> {
          Column col = present(at + ".column", cols, op.table(), op.column());
          expression(c, at + ".up", op.table(), op.up(), col.type());
          backfills.add(keyed(at, i, op.table()));
          summary.add(at + ": NOT NULL on " + op.table() + "." + op.column());
        }
        case "create_index" -> {
          for (int j = 0; j < op.columns().size(); j++) {
            present(at + ".columns[" + j + "]", cols, op.table(), op.columns().get(j));
          }
          if (Catalog.indexValid(c, schemaOf(op.table()) + op.name()) != null) {
            throw new InvalidMigrationException(at + ".name", "index " + op.name() + " exists");
          }
          summary.add(at + ": create index " + op.name() + " concurrently");
        }
        case "drop_column" -> {
          Column col = present(at + ".column", cols, op.table(), op.column());
          if (op.down() != null) {
            expression(c, at + ".down", op.table(), op.down(), col.type());
          }
          summary.add(at + ": drop " + op.table() + "." + op.column() + " at contract");
        }
        default -> throw new IllegalStateException(op.type());
      }
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
      expand(i, spec.operations().get(i));
    }
  }

  private void expand(int i, MigrationOperation op) throws SQLException {
    String p = db.prefix(i);
    switch (op.type()) {
      case "create_table" -> {
        StringJoiner cols = new StringJoiner(", ");
        List<String> key = new ArrayList<>();
        for (ColumnDef col : op.tableColumns()) {
          cols.add(
              col.name()
                  + " "
                  + col.type()
                  + (Boolean.FALSE.equals(col.nullable()) ? " NOT NULL" : "")
                  + (col.defaultValue() != null ? " DEFAULT " + col.defaultValue() : ""));
          if (Boolean.TRUE.equals(col.primaryKey())) {
            key.add(col.name());
          }
        }
        cols.add("PRIMARY KEY (" + String.join(", ", key) + ")");
        db.ddl("CREATE TABLE IF NOT EXISTS " + op.table() + " (" + cols + ")");
      }
      case "create_index" -> {
        String index = schemaOf(op.table()) + op.name();
        if (Boolean.FALSE.equals(Catalog.indexValid(c, index))) {
          // A concurrent build that died leaves an invalid index behind: start it again.
          db.ddl("DROP INDEX CONCURRENTLY IF EXISTS " + index);
        }
        db.ddl(
            "CREATE "
                + (Boolean.TRUE.equals(op.unique()) ? "UNIQUE " : "")
                + "INDEX CONCURRENTLY IF NOT EXISTS "
                + op.name()
                + " ON "
                + op.table()
                + " ("
                + String.join(", ", op.columns())
                + ")");
      }
      case "add_column" -> {
        db.ddl(
            "ALTER TABLE "
                + op.table()
                + " ADD COLUMN IF NOT EXISTS "
                + op.column()
                + " "
                + op.dataType()
                + (op.defaultValue() != null ? " DEFAULT " + op.defaultValue() : ""));
        if (op.up() != null) {
          rowFunction(db, p + "_up", op.table(), op.up(), op.dataType(), null, null);
          pairTrigger(db, p, op.table(), null, op.column(), viaFunctions(p, op.table(), false));
        }
      }
      case "rename_column" -> {
        Column old = Catalog.columns(c, op.table()).get(op.column());
        db.ddl(
            "ALTER TABLE "
                + op.table()
                + " ADD COLUMN IF NOT EXISTS "
                + op.to()
                + " "
                + old.type());
        // Plain assignments: no function call per write (a rename is the common case).
        pairTrigger(
            db,
            p,
            op.table(),
            op.column(),
            op.to(),
            new Sync("NEW." + op.column(), "OLD." + op.column(), "NEW." + op.to()));
      }
      case "change_type" -> {
        Column old = Catalog.columns(c, op.table()).get(op.column());
        String shadow = shadow(op);
        db.ddl(
            "ALTER TABLE "
                + op.table()
                + " ADD COLUMN IF NOT EXISTS "
                + shadow
                + " "
                + op.dataType());
        String s = schemaOf(op.table());
        String upNew = "CAST(NEW." + op.column() + " AS " + op.dataType() + ")";
        String upOld = "CAST(OLD." + op.column() + " AS " + op.dataType() + ")";
        if (op.up() != null) {
          rowFunction(db, p + "_up", op.table(), op.up(), op.dataType(), null, null);
          upNew = s + p + "_up(NEW)";
          upOld = s + p + "_up(OLD)";
        }
        String down = "CAST(NEW." + shadow + " AS " + old.type() + ")";
        if (op.down() != null) {
          // In down, the column's name means its new value (the shadow's).
          rowFunction(db, p + "_down", op.table(), op.down(), old.type(), op.column(), shadow);
          down = s + p + "_down(NEW)";
        }
        pairTrigger(db, p, op.table(), op.column(), shadow, new Sync(upNew, upOld, down));
      }
      case "add_not_null" -> {
        Column col = Catalog.columns(c, op.table()).get(op.column());
        rowFunction(db, p + "_up", op.table(), op.up(), col.type(), null, null);
        fillTrigger(db, p, op.table(), op.column(), p + "_up", false);
      }
      case "drop_column" -> {
        if (op.down() != null) {
          Column col = Catalog.columns(c, op.table()).get(op.column());
          rowFunction(db, p + "_down", op.table(), op.down(), col.type(), null, null);
          fillTrigger(db, p, op.table(), op.column(), p + "_down", true);
        }
      }
      default -> throw new IllegalStateException(op.type());
    }
  }

  static String shadow(MigrationOperation op) {
    return "_sluice_new_" + op.column();
  }

  private static String up(MigrationOperation op, Column old) {
    return op.up() != null ? op.up() : "CAST(" + op.column() + " AS " + op.dataType() + ")";
  }

  // --- backfill --------------------------------------------------------------------------------

  /** Rows changed, batches run and lock timeouts waited out by one backfill. */
  public record Result(long rows, long batches, long lockTimeouts) {}

  private Fill fill(int i) throws SQLException {
    MigrationOperation op = spec.operations().get(i);
    Map<String, Column> cols = Catalog.columns(c, op.table());
    String key = Catalog.primaryKey(c, op.table()).get(0);
    String keyType = cols.get(key).type();
    // The expression itself, not the _up function: PostgreSQL plans it once per statement
    // instead of calling a function per row.
    return switch (op.type()) {
      case "add_column" ->
          new Fill(op.table(), key, keyType, op.column(), cast(op.up(), op.dataType()));
      case "add_not_null" ->
          new Fill(
              op.table(), key, keyType, op.column(), cast(op.up(), cols.get(op.column()).type()));
      case "rename_column" -> new Fill(op.table(), key, keyType, op.to(), op.column());
      case "change_type" -> {
        String up = op.up() != null ? op.up() : op.column();
        yield new Fill(op.table(), key, keyType, shadow(op), cast(up, op.dataType()));
      }
      default -> throw new IllegalArgumentException(op.type() + " has no backfill");
    };
  }

  public Result backfill(int i) throws SQLException, InterruptedException {
    return keyset.run(i, fill(i));
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
    if (!op.type().equals("rename_column") && !op.type().equals("change_type")) {
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
    String column =
        switch (op.type()) {
          case "add_column" -> Boolean.FALSE.equals(op.nullable()) ? op.column() : null;
          case "add_not_null" -> op.column();
          case "rename_column" -> oldNotNull ? op.to() : null;
          case "change_type" -> oldNotNull ? shadow(op) : null;
          default -> null;
        };
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
      switch (op.type()) {
        case "add_column" -> {
          dropSync(db, i, op.table());
          if (Boolean.FALSE.equals(op.nullable())) {
            db.notNull(i, op.table(), op.column());
          }
        }
        case "rename_column" -> {
          Map<String, Column> cols = Catalog.columns(c, op.table());
          boolean wasNotNull = cols.containsKey(op.column()) && cols.get(op.column()).notNull();
          dropSync(db, i, op.table());
          if (wasNotNull) {
            db.notNull(i, op.table(), op.to());
          }
          db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
        }
        case "change_type" -> {
          Map<String, Column> cols = Catalog.columns(c, op.table());
          String shadow = shadow(op);
          dropSync(db, i, op.table());
          if (cols.containsKey(shadow)) {
            boolean wasNotNull = cols.containsKey(op.column()) && cols.get(op.column()).notNull();
            if (wasNotNull) {
              db.notNull(i, op.table(), shadow);
            }
            db.inTransaction(
                List.of(
                    "ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column(),
                    "ALTER TABLE "
                        + op.table()
                        + " RENAME COLUMN "
                        + shadow
                        + " TO "
                        + op.column()));
          }
        }
        case "add_not_null" -> {
          dropSync(db, i, op.table());
          db.notNull(i, op.table(), op.column());
        }
        case "drop_column" -> {
          dropSync(db, i, op.table());
          db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
        }
        case "create_index", "create_table" -> {}
        default -> throw new IllegalStateException(op.type());
      }
    }
    keyset.forgetProgress();
  }

  public void rollback() throws SQLException {
    for (int i = spec.operations().size() - 1; i >= 0; i--) {
      MigrationOperation op = spec.operations().get(i);
      if (!Catalog.tableExists(c, op.table())) {
        continue;
      }
      dropSync(db, i, op.table());
      switch (op.type()) {
        case "add_column" ->
            db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
        case "rename_column" ->
            db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.to());
        case "change_type" ->
            db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + shadow(op));
        case "create_index" ->
            db.ddl("DROP INDEX CONCURRENTLY IF EXISTS " + schemaOf(op.table()) + op.name());
        case "create_table" -> db.ddl("DROP TABLE IF EXISTS " + op.table());
        case "add_not_null", "drop_column" -> {}
        default -> throw new IllegalStateException(op.type());
      }
    }
    keyset.forgetProgress();
  }
}
