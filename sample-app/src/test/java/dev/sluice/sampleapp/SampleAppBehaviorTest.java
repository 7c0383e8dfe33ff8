package dev.sluice.sampleapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleAppBehaviorTest {

  @TempDir Path dir;

  private Path file(String content) throws Exception {
    return Files.writeString(dir.resolve("behavior.properties"), content);
  }

  @Test
  void readsTheKeysOfTheVersionAsked() throws Exception {
    Path file =
        file(
            """
            # a bad release
            3.0.0.healthy=false
            3.0.0.errorRate=0.25
            3.0.0.latencyMs=200
            2.0.0.startupDelayMs=500
            """);

    assertThat(Behavior.load(file, "3.0.0")).isEqualTo(new Behavior(false, 0.25, 200, 0, false));
    assertThat(Behavior.load(file, "2.0.0")).isEqualTo(new Behavior(true, 0, 0, 500, false));
  }

  @Test
  void versionWithoutKeysBehavesWell() throws Exception {
    Path file = file("3.0.0.healthy=false\n");

    assertThat(Behavior.load(file, "1.0.0")).isEqualTo(Behavior.WELL);
  }

  @Test
  void versionsThatArePrefixesOfEachOtherDoNotMix() throws Exception {
    Path file = file("3.0.healthy=false\n3.0.0.errorRate=0.5\n");

    assertThat(Behavior.load(file, "3.0")).isEqualTo(new Behavior(false, 0, 0, 0, false));
    assertThat(Behavior.load(file, "3.0.0")).isEqualTo(new Behavior(true, 0.5, 0, 0, false));
  }

  @Test
  void misspelledKeyIsRejected() throws Exception {
    Path file = file("3.0.0.helthy=false\n");

    assertThatThrownBy(() -> Behavior.load(file, "3.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3.0.0.helthy");
  }

  @Test
  void malformedValuesAreRejected() throws Exception {
    assertThatThrownBy(() -> Behavior.load(file("3.0.0.errorRate=lots\n"), "3.0.0"))
        .hasMessageContaining("3.0.0.errorRate");
    assertThatThrownBy(() -> Behavior.load(file("3.0.0.errorRate=1.5\n"), "3.0.0"))
        .hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> Behavior.load(file("3.0.0.healthy=maybe\n"), "3.0.0"))
        .hasMessageContaining("true or false");
  }
}
