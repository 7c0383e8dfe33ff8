package dev.sluice.activities.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger on H2, through the URL of the embedded default ({@link Ledger#h2FileUrl}): a file
 * database with {@code AUTO_SERVER=TRUE}, one per database the test asks for.
 */
class LedgerOnH2Test extends LedgerContract {

  @TempDir Path directory;

  private final List<JdbcConnectionPool> pools = new ArrayList<>();

  @Override
  DataSource emptyDatabase() {
    return open(Ledger.h2FileUrl(directory.resolve("ledger-" + UUID.randomUUID())));
  }

  /**
   * The API and a standalone worker open the embedded ledger at the same time: while this JVM has
   * it open, another process reads and writes it through the same URL.
   */
  @Test
  void aSecondProcessSharesTheEmbeddedLedgerWhileTheFirstHasItOpen() throws Exception {
    String url = Ledger.h2FileUrl(directory.resolve("shared"));
    DataSource dataSource = open(url);
    Ledger.migrate(dataSource);
    Ledger ledger = new Ledger(Jdbi.create(dataSource));
    ledger.audit("alice", "first.process", "shared", null);

    String h2Jar =
        new File(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .getPath();
    Process worker =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                h2Jar,
                "org.h2.tools.Shell",
                "-url",
                url,
                "-user",
                "sa",
                "-password",
                "",
                "-sql",
                "INSERT INTO audit (at, actor, action, subject)"
                    + " VALUES (TIMESTAMP WITH TIME ZONE '2025-03-01 10:00:00+00', 'worker',"
                    + " 'second.process', 'shared');"
                    + " SELECT actor FROM audit WHERE action = 'first.process'")
            .redirectErrorStream(true)
            .start();
    assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("second process finished").isTrue();
    String output = new String(worker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(worker.exitValue()).as(output).isZero();
    assertThat(output).contains("alice");
    assertThat(ledger.auditTrail("shared", 10))
        .extracting(AuditEntry::actor)
        .containsExactly("worker", "alice");
  }

  private DataSource open(String url) {
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
    pools.add(pool);
    return pool;
  }

  /** Closing the last connection closes the database, so the temporary directory can go. */
  @AfterEach
  void closeDatabases() {
    pools.forEach(JdbcConnectionPool::dispose);
  }
}
