package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.Driver;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What only the embedded default promises, on H2 through its URL ({@link Ledger#h2FileUrl}). The
 * ledger's contracts run on H2 in the {@code *OnH2Test} classes, one per aggregate.
 */
class LedgerOnH2Test {

  @RegisterExtension final H2Databases databases = new H2Databases();

  /**
   * The API and a standalone worker open the embedded ledger at the same time: while this JVM has
   * it open, another process reads and writes it through the same URL.
   */
  @Test
  void aSecondProcessSharesTheEmbeddedLedgerWhileTheFirstHasItOpen() throws Exception {
    String url = Ledger.h2FileUrl(databases.directory().resolve("shared"));
    DataSource dataSource = databases.open(url);
    Ledger.migrate(dataSource);
    Ledger ledger = new Ledger(Jdbi.create(dataSource));
    ledger.audit("alice", "first.process", "shared", null);

    String h2Jar =
        new File(Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI())
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
}
