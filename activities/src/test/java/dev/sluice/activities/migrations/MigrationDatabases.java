package dev.sluice.activities.migrations;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Databases on a real PostgreSQL (embedded) for the migration tests: one server per test class
 * (register on a static field), stopped after the class, and new empty databases on it.
 */
final class MigrationDatabases implements BeforeAllCallback, AfterAllCallback {

  private static final AtomicInteger databases = new AtomicInteger();
  private EmbeddedPostgres postgres;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  /** A new, empty database, reachable through its own {@link Datasources} by its name. */
  AppDatabase newDatabase() throws SQLException {
    String name = "app_" + databases.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return new AppDatabase(
        name,
        new Datasources(
            Map.of(
                name,
                new Datasources.Datasource(
                    postgres.getJdbcUrl("postgres", name), "postgres", null, null))));
  }
}
