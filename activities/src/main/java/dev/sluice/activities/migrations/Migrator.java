package dev.sluice.activities.migrations;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationOperation.ColumnDef;
import dev.sluice.model.MigrationSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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

  static final String PROGRESS_TABLE = "sluice_migration_progress";

  private final Connection c;
  private final MigrationSpec spec;
  private final Progress progress;

  public Migrator(Connection c, MigrationSpec spec, Progress progress) {
    this.c = c;
    this.spec = spec;
    this.progress = progress;
  }

  static boolean isPostgres(Connection c) throws SQLException {
    return c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
  }

  String prefix(int index) {
    return "sluice_" + spec.name() + "_" + (index + 1);
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
          type(at + ".dataType", op.dataType());
          if (op.up() != null) {
            expression(at + ".up", op.table(), op.up(), op.dataType());
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
          type(at + ".dataType", op.dataType());
          expression(at + ".up", op.table(), up(op, col), op.dataType());
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
          expression(at + ".up", op.table(), op.up(), col.type());
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
            expression(at + ".down", op.table(), op.down(), col.type());
          }
          summary.add(at + ": drop " + op.table() + "." + op.column() + " at contract");
        }
        default -> throw new IllegalStateException(op.type());
      }
    }
    return backfills;
  }

  private static Column present(String at, Map<String, Column> cols, String table, String name) {
    Column col = cols.get(name);
    if (col == null) {
      throw new InvalidMigrationException(at, "no column " + table + "." + name);
    }
    return col;
  }

  private static void absent(String at, Map<String, Column> cols, String table, String name) {
    if (cols.containsKey(name)) {
      throw new InvalidMigrationException(at, "column " + table + "." + name + " already exists");
    }
  }

  private int keyed(String at, int index, String table) throws SQLException {
    if (Catalog.primaryKey(c, table).size() != 1) {
      throw new InvalidMigrationException(
          at + ".table", table + " needs a one-column primary key: the backfill pages by it");
    }
    return index;
  }

  private void type(String at, String type) {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT CAST(NULL AS " + type + ")");
    } catch (SQLException e) {
      throw new InvalidMigrationException(at, "not a type here: " + firstLine(e));
    }
  }

  /** Compiles {@code expr} over the table's columns (planning only, no rows read). */
  private void expression(String at, String table, String expr, String type) {
    try (Statement s = c.createStatement()) {
      s.execute("EXPLAIN SELECT CAST((" + expr + ") AS " + type + ") FROM " + table);
    } catch (SQLException e) {
      throw new InvalidMigrationException(
          at, "does not compile over " + table + ": " + firstLine(e));
    }
  }

  private static String firstLine(SQLException e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static String schemaOf(String table) {
    int dot = table.indexOf('.');
    return dot < 0 ? "" : table.substring(0, dot + 1);
  }

  // --- expand ----------------------------------------------------------------------------------

  public void expand() throws SQLException {
    ddl(
        "CREATE TABLE IF NOT EXISTS "
            + PROGRESS_TABLE
            + " (migration text NOT NULL, operation int NOT NULL, last_key text, rows bigint NOT NULL"
            + " DEFAULT 0, batches bigint NOT NULL DEFAULT 0, PRIMARY KEY (migration, operation))");
    for (int i = 0; i < spec.operations().size(); i++) {
      expand(i, spec.operations().get(i));
    }
  }

  private void expand(int i, MigrationOperation op) throws SQLException {
    String p = prefix(i);
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
        ddl("CREATE TABLE IF NOT EXISTS " + op.table() + " (" + cols + ")");
      }
      case "create_index" -> {
        String index = schemaOf(op.table()) + op.name();
        if (Boolean.FALSE.equals(Catalog.indexValid(c, index))) {
          // A concurrent build that died leaves an invalid index behind: start it again.
          ddl("DROP INDEX CONCURRENTLY IF EXISTS " + index);
        }
        ddl(
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
        ddl(
            "ALTER TABLE "
                + op.table()
                + " ADD COLUMN IF NOT EXISTS "
                + op.column()
                + " "
                + op.dataType()
                + (op.defaultValue() != null ? " DEFAULT " + op.defaultValue() : ""));
        if (op.up() != null) {
          rowFunction(p + "_up", op.table(), op.up(), op.dataType(), null, null);
          pairTrigger(p, op.table(), null, op.column(), viaFunctions(p, op.table(), false));
        }
      }
      case "rename_column" -> {
        Column old = Catalog.columns(c, op.table()).get(op.column());
        ddl(
            "ALTER TABLE "
                + op.table()
                + " ADD COLUMN IF NOT EXISTS "
                + op.to()
                + " "
                + old.type());
        // Plain assignments: no function call per write (a rename is the common case).
        pairTrigger(
            p,
            op.table(),
            op.column(),
            op.to(),
            new Sync("NEW." + op.column(), "OLD." + op.column(), "NEW." + op.to()));
      }
      case "change_type" -> {
        Column old = Catalog.columns(c, op.table()).get(op.column());
        String shadow = shadow(op);
        ddl(
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
          rowFunction(p + "_up", op.table(), op.up(), op.dataType(), null, null);
          upNew = s + p + "_up(NEW)";
          upOld = s + p + "_up(OLD)";
        }
        String down = "CAST(NEW." + shadow + " AS " + old.type() + ")";
        if (op.down() != null) {
          // In down, the column's name means its new value (the shadow's).
          rowFunction(p + "_down", op.table(), op.down(), old.type(), op.column(), shadow);
          down = s + p + "_down(NEW)";
        }
        pairTrigger(p, op.table(), op.column(), shadow, new Sync(upNew, upOld, down));
      }
      case "add_not_null" -> {
        Column col = Catalog.columns(c, op.table()).get(op.column());
        rowFunction(p + "_up", op.table(), op.up(), col.type(), null, null);
        fillTrigger(p, op.table(), op.column(), p + "_up", false);
      }
      case "drop_column" -> {
        if (op.down() != null) {
          Column col = Catalog.columns(c, op.table()).get(op.column());
          rowFunction(p + "_down", op.table(), op.down(), col.type(), null, null);
          fillTrigger(p, op.table(), op.column(), p + "_down", true);
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

  /**
   * A function of the table's row computing {@code expr} over its columns by name; with {@code
   * alias}, that name means {@code aliasOf}'s value instead of its own column's.
   */
  private void rowFunction(
      String name, String table, String expr, String type, String alias, String aliasOf)
      throws SQLException {
    StringJoiner select = new StringJoiner(", ");
    for (String col : Catalog.columns(c, table).keySet()) {
      if (col.equals(alias)) {
        continue;
      }
      select.add("($1)." + col + " AS " + col);
    }
    if (alias != null) {
      select.add("($1)." + aliasOf + " AS " + alias);
    }
    ddl(
        "CREATE OR REPLACE FUNCTION "
            + schemaOf(table)
            + name
            + "("
            + table
            + ") RETURNS "
            + type
            + " LANGUAGE sql STABLE AS $sluice$ SELECT CAST(("
            + expr
            + ") AS "
            + type
            + ") FROM (SELECT "
            + select
            + ") AS sluice_row $sluice$");
  }

  /**
   * How a pair trigger computes: up over the new row and over the old one, and down over the new
   * row (null: the old column is not kept up).
   */
  private record Sync(String upNew, String upOld, String downNew) {}

  private Sync viaFunctions(String p, String table, boolean down) {
    String f = schemaOf(table) + p;
    return new Sync(f + "_up(NEW)", f + "_up(OLD)", down ? f + "_down(NEW)" : null);
  }

  /**
   * Keeps {@code target} = up(row) for writes that leave it alone, and (with down) {@code source} =
   * down(row) for writes that set it: the old app writes the old column, the new app the new.
   */
  private void pairTrigger(String p, String table, String source, String target, Sync sync)
      throws SQLException {
    boolean down = sync.downNew() != null;
    String body =
        "IF TG_OP = 'INSERT' THEN\n"
            + ("  IF NEW." + target + " IS NULL THEN NEW." + target + " := " + sync.upNew() + ";\n")
            + (down
                ? "  ELSIF NEW."
                    + source
                    + " IS NULL THEN NEW."
                    + source
                    + " := "
                    + sync.downNew()
                    + ";\n"
                : "")
            + "  END IF;\n"
            + ("ELSIF NEW." + target + " IS DISTINCT FROM OLD." + target + " THEN\n")
            + (down ? "  NEW." + source + " := " + sync.downNew() + ";\n" : "  NULL;\n")
            + ("ELSIF " + sync.upNew() + " IS DISTINCT FROM " + sync.upOld() + " THEN\n")
            + ("  NEW." + target + " := " + sync.upNew() + ";\n")
            + "END IF;\n";
    trigger(p, table, body);
  }

  /** Fills {@code column} with fn(row) when a write leaves it NULL (on inserts only, or all). */
  private void fillTrigger(String p, String table, String column, String fn, boolean insertOnly)
      throws SQLException {
    String body =
        "IF "
            + (insertOnly ? "TG_OP = 'INSERT' AND " : "")
            + "NEW."
            + column
            + " IS NULL THEN\n"
            + "  NEW."
            + column
            + " := "
            + schemaOf(table)
            + fn
            + "(NEW);\n"
            + "END IF;\n";
    trigger(p, table, body);
  }

  private void trigger(String p, String table, String body) throws SQLException {
    String s = schemaOf(table);
    ddl(
        "CREATE OR REPLACE FUNCTION "
            + s
            + p
            + "_sync() RETURNS trigger LANGUAGE plpgsql AS"
            + " $sluice$\nBEGIN\n"
            + "IF current_setting('sluice.backfill', true) = 'on' THEN RETURN NEW; END IF;\n"
            + body
            + "RETURN NEW;\nEND\n$sluice$");
    // Replace the trigger in one transaction, so no write slips between drop and create.
    inTransaction(
        List.of(
            "DROP TRIGGER IF EXISTS " + p + " ON " + table,
            "CREATE TRIGGER "
                + p
                + " BEFORE INSERT OR UPDATE ON "
                + table
                // The backfill's own writes never enter PL/pgSQL.
                + " FOR EACH ROW WHEN (current_setting('sluice.backfill', true) IS DISTINCT FROM"
                + " 'on') EXECUTE FUNCTION "
                + s
                + p
                + "_sync()"));
  }

  // --- backfill --------------------------------------------------------------------------------

  /** Rows changed, batches run and lock timeouts waited out by one backfill. */
  public record Result(long rows, long batches, long lockTimeouts) {}

  /** What the backfill of operation {@code i} sets, and which rows still need it. */
  private record Fill(String table, String key, String keyType, String column, String value) {}

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

  private static String cast(String expr, String type) {
    return "CAST((" + expr + ") AS " + type + ")";
  }

  public Result backfill(int i) throws SQLException, InterruptedException {
    Fill f = fill(i);
    MigrationSpec.Backfill settings = spec.backfill();
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
    Duration backoff = Duration.ofMillis(100);
    while (true) {
      throttle(settings, lastKey, rows);
      c.setAutoCommit(false);
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
          ps.setInt(n, settings.batchSize());
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            hi = rs.getString(1);
          }
        }
        if (hi == null) {
          c.rollback();
          return new Result(rows, batches, lockTimeouts);
        }
        int changed;
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
        lastKey = hi;
        rows += changed;
        batches++;
        backoff = Duration.ofMillis(100);
      } catch (SQLException e) {
        c.rollback();
        if (!retryable(e)) {
          throw e;
        }
        lockTimeouts++;
        pause(backoff, lastKey, rows);
        backoff =
            backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0
                ? Duration.ofSeconds(10)
                : backoff.multipliedBy(2);
        continue;
      } finally {
        c.setAutoCommit(true);
      }
      progress.beat(lastKey, rows);
      if (!settings.delay().isZero()) {
        pause(settings.delay(), lastKey, rows);
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

  /** Lock timeouts, deadlocks and serialization failures: the batch can simply run again. */
  static boolean retryable(SQLException e) {
    String state = e.getSQLState();
    return "55P03".equals(state) || "40P01".equals(state) || "40001".equals(state);
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
      pause(Duration.ofSeconds(1), lastKey, rows);
    }
  }

  private void pause(Duration d, String lastKey, long rows) throws InterruptedException {
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
          dropSync(i, op.table());
          if (Boolean.FALSE.equals(op.nullable())) {
            notNull(i, op.table(), op.column());
          }
        }
        case "rename_column" -> {
          Map<String, Column> cols = Catalog.columns(c, op.table());
          boolean wasNotNull = cols.containsKey(op.column()) && cols.get(op.column()).notNull();
          dropSync(i, op.table());
          if (wasNotNull) {
            notNull(i, op.table(), op.to());
          }
          ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
        }
        case "change_type" -> {
          Map<String, Column> cols = Catalog.columns(c, op.table());
          String shadow = shadow(op);
          dropSync(i, op.table());
          if (cols.containsKey(shadow)) {
            boolean wasNotNull = cols.containsKey(op.column()) && cols.get(op.column()).notNull();
            if (wasNotNull) {
              notNull(i, op.table(), shadow);
            }
            inTransaction(
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
          dropSync(i, op.table());
          notNull(i, op.table(), op.column());
        }
        case "drop_column" -> {
          dropSync(i, op.table());
          ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
        }
        case "create_index", "create_table" -> {}
        default -> throw new IllegalStateException(op.type());
      }
    }
    forgetProgress();
  }

  /** NOT NULL without a long lock: CHECK NOT VALID, VALIDATE (no write lock), then SET NOT NULL. */
  private void notNull(int i, String table, String column) throws SQLException {
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

  public void rollback() throws SQLException {
    for (int i = spec.operations().size() - 1; i >= 0; i--) {
      MigrationOperation op = spec.operations().get(i);
      if (!Catalog.tableExists(c, op.table())) {
        continue;
      }
      dropSync(i, op.table());
      switch (op.type()) {
        case "add_column" ->
            ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
        case "rename_column" ->
            ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.to());
        case "change_type" ->
            ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + shadow(op));
        case "create_index" ->
            ddl("DROP INDEX CONCURRENTLY IF EXISTS " + schemaOf(op.table()) + op.name());
        case "create_table" -> ddl("DROP TABLE IF EXISTS " + op.table());
        case "add_not_null", "drop_column" -> {}
        default -> throw new IllegalStateException(op.type());
      }
    }
    forgetProgress();
  }

  private void dropSync(int i, String table) throws SQLException {
    String p = prefix(i);
    String s = schemaOf(table);
    ddl("DROP TRIGGER IF EXISTS " + p + " ON " + table);
    ddl("DROP FUNCTION IF EXISTS " + s + p + "_sync()");
    ddl("DROP FUNCTION IF EXISTS " + s + p + "_up(" + table + ")");
    ddl("DROP FUNCTION IF EXISTS " + s + p + "_down(" + table + ")");
  }

  private void forgetProgress() throws SQLException {
    if (!Catalog.tableExists(c, PROGRESS_TABLE)) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM " + PROGRESS_TABLE + " WHERE migration = ?")) {
      ps.setString(1, spec.name());
      ps.executeUpdate();
    }
  }

  // --- running DDL -----------------------------------------------------------------------------

  /**
   * One DDL statement in autocommit (CONCURRENTLY needs it) under a short lock_timeout, retried
   * with backoff when it cannot get its lock in time.
   */
  private void ddl(String sql) throws SQLException {
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

  private void inTransaction(List<String> statements) throws SQLException {
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
}
