package dev.sluice.api.startup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StartupBannerTest {

  @Test
  void aDevStartNamesEveryAddressTheBackendAndTheLedger() {
    String text =
        new StartupBanner(
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8081/",
                "http://127.0.0.1:8233",
                null,
                "dev server at 127.0.0.1:7233, started by Sluice (stopped with it)",
                "default",
                "H2 file /srv/.sluice/ledger.mv.db",
                false)
            .text();
    assertThat(text)
        .contains("API          http://127.0.0.1:8080/")
        .contains("admin        http://127.0.0.1:8081/")
        .contains("Temporal UI  http://127.0.0.1:8233")
        .contains("dashboard    not yet")
        .contains(
            "dev server at 127.0.0.1:7233, started by Sluice (stopped with it), namespace default")
        .contains("ledger       H2 file /srv/.sluice/ledger.mv.db")
        .doesNotContain("in memory");
  }

  @Test
  void aServedDashboardAndNoUiAreShownAsSuch() {
    String text =
        new StartupBanner("a", "b", null, "http://127.0.0.1:8080/", "remote", "ns", "l", false)
            .text();
    assertThat(text).contains("dashboard    http://127.0.0.1:8080/").contains("Temporal UI  none");
  }

  @Test
  void theInMemoryWarningSaysWhatIsLost() {
    assertThat(StartupBanner.IN_MEMORY)
        .contains("in memory: running deployments are lost when this process ends");
  }

  @Test
  void theLedgerIsAnH2PathOrAUrlWithoutCredentials() {
    assertThat(StartupBanner.ledger("jdbc:h2:file:./.sluice/ledger;AUTO_SERVER=TRUE"))
        .isEqualTo("H2 file " + Path.of(".sluice/ledger.mv.db").toAbsolutePath().normalize());
    assertThat(
            StartupBanner.ledger(
                "jdbc:postgresql://sluice:s3cret@db:5432/sluice?password=x&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/sluice?password=***&ssl=true")
        .doesNotContain("s3cret");
  }
}
