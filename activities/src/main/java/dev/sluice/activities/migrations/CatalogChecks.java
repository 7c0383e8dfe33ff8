package dev.sluice.activities.migrations;

import dev.sluice.activities.migrations.Catalog.Column;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * What check asks of the live database, each answer a problem naming its field: columns there or
 * not, types and expressions that compile (planning only, no rows read).
 */
final class CatalogChecks {

  private CatalogChecks() {}

  static Column present(String at, Map<String, Column> cols, String table, String name) {
    Column col = cols.get(name);
    if (col == null) {
      throw new InvalidMigrationException(at, "no column " + table + "." + name);
    }
    return col;
  }

  static void absent(String at, Map<String, Column> cols, String table, String name) {
    if (cols.containsKey(name)) {
      throw new InvalidMigrationException(at, "column " + table + "." + name + " already exists");
    }
  }

  static void type(Connection c, String at, String type) {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT CAST(NULL AS " + type + ")");
    } catch (SQLException e) {
      throw new InvalidMigrationException(at, "not a type here: " + firstLine(e));
    }
  }

  /** Compiles {@code expr} over the table's columns (planning only, no rows read). */
  static void expression(Connection c, String at, String table, String expr, String type) {
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
}
