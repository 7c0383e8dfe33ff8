package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded ledger keeps every commit when its process is killed: H2 has no write-ahead log and
 * by default writes commits to its file up to 500 ms later, which {@link Ledger#durableUrl} turns
 * off. A child JVM commits and halts at once (as SIGKILL would stop it); the rows are there after.
 */
class H2DurabilityOnH2Test {

  /** Commits five rows, one statement each, then halts without closing anything. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      Connection c = DriverManager.getConnection(args[0], "sa", "");
      try (Statement s = c.createStatement()) {
        s.execute("create table t (i int)");
        for (int i = 0; i < 5; i++) {
          s.execute("insert into t values (" + i + ")");
        }
      }
      Runtime.getRuntime().halt(137);
    }
  }

  @Test
  void aCommitSurvivesTheProcessBeingKilledRightAfterIt(@TempDir Path dir) throws Exception {
    String url = Ledger.h2FileUrl(dir.resolve("ledger"));
    Process writer =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Writer.class.getName(),
                url)
            .redirectErrorStream(true)
            .start();
    assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(writer.exitValue())
        .as(new String(writer.getInputStream().readAllBytes()))
        .isEqualTo(137);

    try (Connection c = DriverManager.getConnection(url, "sa", "");
        ResultSet rows = c.createStatement().executeQuery("select count(*) from t")) {
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(5);
    }
  }

  @Test
  void durableUrlAddsNoDelayToH2FileUrlsThatSetNone() {
    assertThat(Ledger.durableUrl("jdbc:h2:file:/srv/ledger;AUTO_SERVER=TRUE"))
        .isEqualTo("jdbc:h2:file:/srv/ledger;AUTO_SERVER=TRUE;WRITE_DELAY=0");
    assertThat(Ledger.durableUrl("jdbc:h2:file:/srv/ledger;write_delay=100"))
        .isEqualTo("jdbc:h2:file:/srv/ledger;write_delay=100");
    assertThat(Ledger.durableUrl("jdbc:postgresql://db/sluice"))
        .isEqualTo("jdbc:postgresql://db/sluice");
    assertThat(Ledger.durableUrl("jdbc:h2:mem:test")).isEqualTo("jdbc:h2:mem:test");
  }
}
