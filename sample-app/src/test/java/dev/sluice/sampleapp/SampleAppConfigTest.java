package dev.sluice.sampleapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleAppConfigTest {

  @TempDir Path dir;

  @Test
  void readsTheCommandLine() throws Exception {
    SampleAppConfig config =
        SampleAppConfig.parse(
            "--port", "18081", "--version", "2.0.0", "--target", "t1", "--drain-delay-ms=250");

    assertThat(config.port()).isEqualTo(18081);
    assertThat(config.version()).isEqualTo("2.0.0");
    assertThat(config.target()).isEqualTo("t1");
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.behavior()).isEqualTo(Behavior.WELL);
    assertThat(config.drainDelay()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void overridesWinOverTheBehaviourFile() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("b.properties"), "3.0.0.errorRate=0.25\n3.0.0.latencyMs=200\n");

    SampleAppConfig config =
        SampleAppConfig.parse(
            "--port",
            "0",
            "--version",
            "3.0.0",
            "--behavior",
            file.toString(),
            "--error-rate",
            "0.5",
            "--unhealthy");

    assertThat(config.behavior()).isEqualTo(new Behavior(false, 0.5, 200, 0, false));
  }

  @Test
  void portAndVersionAreRequired() {
    assertThatThrownBy(() -> SampleAppConfig.parse("--version", "1.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--port");
  }

  @Test
  void unknownOptionsAndMissingValuesAreRejected() {
    assertThatThrownBy(() -> SampleAppConfig.parse("--port", "1", "--version", "1", "--colour"))
        .hasMessageContaining("unknown option --colour");
    assertThatThrownBy(() -> SampleAppConfig.parse("--port", "--version", "1"))
        .hasMessageContaining("--port needs a value");
    assertThatThrownBy(() -> SampleAppConfig.parse("--port", "x", "--version", "1"))
        .hasMessageContaining("whole number");
  }

  @Test
  void profileDatabasesGoTogetherAndTheirUrlsAreNeverPrinted() throws Exception {
    SampleAppConfig both =
        SampleAppConfig.parse(
            "--port",
            "1",
            "--version",
            "1",
            "--profiles-legacy-db",
            "jdbc:postgresql://db/legacy?password=secret",
            "--profiles-new-db",
            "jdbc:postgresql://db/fresh?password=secret");
    assertThat(both.profiles().inMemory()).isFalse();
    assertThat(both.profiles().newUrl()).endsWith("/fresh?password=secret");
    assertThat(both.toString()).doesNotContain("secret");
    assertThat(SampleAppConfig.parse("--port", "1", "--version", "1").profiles().inMemory())
        .isTrue();
    assertThatThrownBy(
            () ->
                SampleAppConfig.parse(
                    "--port", "1", "--version", "1", "--profiles-legacy-db", "jdbc:x"))
        .hasMessageContaining("go together");
  }
}
