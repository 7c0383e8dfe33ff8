package dev.sluice.ledger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * Empty databases on a real PostgreSQL 16: one embedded server for the whole test run, started by
 * the first class that registers this extension (on a static field) and stopped when the run ends;
 * a new database for each database a test asks for.
 */
public final class PostgresDatabases implements BeforeAllCallback {

  private static final Namespace NAMESPACE = Namespace.create(PostgresDatabases.class);
  private static final AtomicInteger databases = new AtomicInteger();

  private EmbeddedPostgres postgres;

  @Override
  public void beforeAll(ExtensionContext context) {
    postgres =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(Server.class, key -> new Server(), Server.class)
            .postgres;
  }

  /** A new, empty database. */
  public DataSource newDatabase() throws SQLException {
    String name = "ledger_" + databases.incrementAndGet();
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return postgres.getDatabase("postgres", name);
  }

  /** The server, closed by JUnit with the root context's store at the end of the run. */
  private static final class Server implements AutoCloseable {

    final EmbeddedPostgres postgres;

    Server() {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
      }
    }

    @Override
    public void close() throws IOException {
      postgres.close();
    }
  }
}
