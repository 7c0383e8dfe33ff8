package dev.sluice.activities.migrations;

import dev.sluice.model.MigrationSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One database a test migrates ({@link MigrationDatabases#newDatabase}): the datasource name specs
 * give, and the SQL the test sets it up and looks at it with.
 */
record AppDatabase(String name, Datasources datasources) {

  /** A migration phase run by a test. */
  interface Step<T> {
    T run(Migrator m) throws Exception;
  }

  /** Runs {@code statements} in order, in autocommit, on one connection. */
  void sql(String... statements) throws SQLException {
    try (Connection c = datasources.open(name);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The first column of {@code query}'s first row, as a number. */
  long count(String query) throws SQLException {
    try (Connection c = datasources.open(name);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of every row of {@code query}, in its order. */
  List<String> strings(String query) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection c = datasources.open(name);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** Runs {@code step} with a migrator of {@code spec} on a connection of its own. */
  <T> T run(MigrationSpec spec, Migrator.Progress progress, Step<T> step) throws Exception {
    try (Connection c = datasources.open(name)) {
      return step.run(new Migrator(c, spec, progress));
    }
  }
}
