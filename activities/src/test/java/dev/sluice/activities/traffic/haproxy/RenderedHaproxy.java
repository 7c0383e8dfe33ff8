package dev.sluice.activities.traffic.haproxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy run from a {@link HaproxyConfig} exactly as rendered, the way a user runs the
 * config {@code sluice haproxy-config} prints: written to {@code haproxy.cfg}, checked with {@code
 * haproxy -c -f}, run in the foreground as a child and stopped on {@link #close()}.
 */
final class RenderedHaproxy implements AutoCloseable {

  private final Path configFile;
  private final Process process;

  private RenderedHaproxy(Path configFile, Process process) {
    this.configFile = configFile;
    this.process = process;
  }

  /**
   * Writes {@code config} (and its map file, if it routes by one) into {@code dir}.
   *
   * @return the config file
   */
  static Path write(Path dir, HaproxyConfig config) throws IOException {
    Files.createDirectories(dir);
    if (config.poolMap().isPresent()) {
      Files.writeString(Path.of(config.poolMap().get().file()), config.renderPoolMap(), UTF_8);
    }
    return Files.writeString(dir.resolve("haproxy.cfg"), config.render(), UTF_8);
  }

  /** What {@code haproxy -c -f configFile} says, with its exit status. */
  static Check check(Path configFile) throws IOException, InterruptedException {
    Process check =
        new ProcessBuilder(
                HaproxyInstance.locateBinary().toString(), "-c", "-f", configFile.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(check.getInputStream().readAllBytes(), UTF_8);
    if (!check.waitFor(30, TimeUnit.SECONDS)) {
      check.destroyForcibly();
      throw new IllegalStateException("haproxy -c did not finish");
    }
    return new Check(check.exitValue(), output);
  }

  /** Output and exit status of {@code haproxy -c}. */
  record Check(int exit, String output) {}

  /**
   * Writes, checks and starts {@code config} in {@code dir}; returns once its admin socket answers.
   */
  static RenderedHaproxy start(Path dir, HaproxyConfig config, String socket) throws Exception {
    Path file = write(dir, config);
    Check check = check(file);
    if (check.exit() != 0) {
      throw new IllegalStateException("haproxy -c refused " + file + ":\n" + check.output());
    }
    Process process =
        new ProcessBuilder(HaproxyInstance.locateBinary().toString(), "-f", file.toString(), "-db")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    RenderedHaproxy haproxy = new RenderedHaproxy(file, process);
    try {
      HaproxyRuntimeApi api = HaproxyRuntimeApi.of(socket, Duration.ofSeconds(1));
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(25))
          .ignoreException(HaproxyUnavailableException.class)
          .until(() -> process.isAlive() && !api.execute("show info").isEmpty());
      return haproxy;
    } catch (RuntimeException | Error e) {
      haproxy.close();
      throw e;
    }
  }

  Path configFile() {
    return configFile;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
