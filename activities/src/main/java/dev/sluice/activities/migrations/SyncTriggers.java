package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.Database.schemaOf;

import java.sql.SQLException;
import java.util.List;
import java.util.StringJoiner;

/**
 * What keeps old and new columns right whichever app version writes, between expand and contract: a
 * trigger per operation, named {@code p} (its prefix), with its function {@code p_sync}, and row
 * functions {@code p_up}/{@code p_down} computing the new column from the old ones and back. The
 * backfill sets {@code sluice.backfill} in its transactions, and the triggers leave its writes
 * alone.
 */
final class SyncTriggers {

  private SyncTriggers() {}

  /**
   * A function of the table's row computing {@code expr} over its columns by name; with {@code
   * alias}, that name means {@code aliasOf}'s value instead of its own column's.
   */
  static void rowFunction(
      Database db,
      String name,
      String table,
      String expr,
      String type,
      String alias,
      String aliasOf)
      throws SQLException {
    StringJoiner select = new StringJoiner(", ");
    for (String col : Catalog.columns(db.c, table).keySet()) {
      if (col.equals(alias)) {
        continue;
      }
      select.add("($1)." + col + " AS " + col);
    }
    if (alias != null) {
      select.add("($1)." + aliasOf + " AS " + alias);
    }
    db.ddl(
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
  record Sync(String upNew, String upOld, String downNew) {}

  static Sync viaFunctions(String p, String table, boolean down) {
    String f = schemaOf(table) + p;
    return new Sync(f + "_up(NEW)", f + "_up(OLD)", down ? f + "_down(NEW)" : null);
  }

  /**
   * Keeps {@code target} = up(row) for writes that leave it alone, and (with down) {@code source} =
   * down(row) for writes that set it: the old app writes the old column, the new app the new.
   */
  static void pairTrigger(
      Database db, String p, String table, String source, String target, Sync sync)
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
    trigger(db, p, table, body);
  }

  /** Fills {@code column} with fn(row) when a write leaves it NULL (on inserts only, or all). */
  static void fillTrigger(
      Database db, String p, String table, String column, String fn, boolean insertOnly)
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
    trigger(db, p, table, body);
  }

  private static void trigger(Database db, String p, String table, String body)
      throws SQLException {
    String s = schemaOf(table);
    db.ddl(
        "CREATE OR REPLACE FUNCTION "
            + s
            + p
            + "_sync() RETURNS trigger LANGUAGE plpgsql AS"
            + " $sluice$\nBEGIN\n"
            + "IF current_setting('sluice.backfill', true) = 'on' THEN RETURN NEW; END IF;\n"
            + body
            + "RETURN NEW;\nEND\n$sluice$");
    // Replace the trigger in one transaction, so no write slips between drop and create.
    db.inTransaction(
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

  /** Drops operation {@code i}'s trigger and functions, whichever it made. */
  static void dropSync(Database db, int i, String table) throws SQLException {
    String p = db.prefix(i);
    String s = schemaOf(table);
    db.ddl("DROP TRIGGER IF EXISTS " + p + " ON " + table);
    db.ddl("DROP FUNCTION IF EXISTS " + s + p + "_sync()");
    db.ddl("DROP FUNCTION IF EXISTS " + s + p + "_up(" + table + ")");
    db.ddl("DROP FUNCTION IF EXISTS " + s + p + "_down(" + table + ")");
  }
}
