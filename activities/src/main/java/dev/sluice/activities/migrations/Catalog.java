package dev.sluice.activities.migrations;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a PostgreSQL database has: tables, their columns and types, primary keys, indexes. */
final class Catalog {

  /** A column: its SQL type as PostgreSQL prints it, and whether it is NOT NULL. */
  record Column(String name, String type, boolean notNull) {}

  private Catalog() {}

  /** The table's columns in order, or null when there is no such table. */
  static Map<String, Column> columns(Connection c, String table) throws SQLException {
    if (!tableExists(c, table)) {
      return null;
    }
    Map<String, Column> columns = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull"
                + " FROM pg_attribute a WHERE a.attrelid = to_regclass(?)"
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.put(
              rs.getString(1), new Column(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
        }
      }
    }
    return columns;
  }

  static boolean tableExists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** The primary key's columns, in key order (empty: none). */
  static List<String> primaryKey(Connection c, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                + " WHERE i.indrelid = to_regclass(?) AND i.indisprimary"
                + " ORDER BY array_position(i.indkey, a.attnum)")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        List<String> key = new ArrayList<>();
        while (rs.next()) {
          key.add(rs.getString(1));
        }
        return key;
      }
    }
  }

  /** Whether an index {@code name} exists, and if so whether it is valid (null: none). */
  static Boolean indexValid(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBoolean(1) : null;
      }
    }
  }

  static boolean constraintExists(Connection c, String table, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?")) {
      ps.setString(1, table);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
