package dev.sluice.ledger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Empty H2 databases through the URL of the embedded default ({@link Ledger#h2FileUrl}): file
 * databases with {@code AUTO_SERVER=TRUE} in a directory of the test's own, closed and deleted
 * after it. Register it on a non-static field.
 */
public final class H2Databases implements BeforeEachCallback, AfterEachCallback {

  private final List<JdbcConnectionPool> pools = new ArrayList<>();
  private Path directory;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    directory = Files.createTempDirectory("ledger-h2-");
  }

  /** The directory the test's databases live in. */
  public Path directory() {
    return directory;
  }

  /** A new, empty database. */
  public DataSource newDatabase() {
    return open(Ledger.h2FileUrl(directory.resolve("ledger-" + UUID.randomUUID())));
  }

  /** A pool on {@code url}, disposed of after the test. */
  public DataSource open(String url) {
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
    pools.add(pool);
    return pool;
  }

  /** Closing the last connection closes the database, so its directory can go. */
  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    pools.forEach(JdbcConnectionPool::dispose);
    pools.clear();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
