package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar sluice.jar -v} prints the project version. An IT because it needs the packaged
 * jar (failsafe runs after {@code package}); no Temporal, no ports.
 */
class JarVersionIT {

  @Test
  void theJarSaysItsVersion() throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("sluice.jar"));
    Process java =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "-v")
            .redirectErrorStream(true)
            .start();
    try {
      String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out.strip()).isEqualTo(System.getProperty("sluice.version"));
    } finally {
      java.destroyForcibly();
    }
  }
}
