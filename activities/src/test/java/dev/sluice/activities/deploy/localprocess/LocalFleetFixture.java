package dev.sluice.activities.deploy.localprocess;

import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support for adapters that need real sample-app instances: a deployer on a temporary work
 * directory, free ports, behaviour files. Callers must {@link LocalFleet#stopAll} the work
 * directory after each test.
 */
public final class LocalFleetFixture {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final Path workDir;

  public LocalFleetFixture(Path workDir) {
    this.workDir = workDir;
  }

  /** The sample app's jar, built before the activities module (surefire names it). */
  public static Path sampleAppJar() {
    String jar = System.getProperty("sluice.sampleAppJar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "no sample-app jar at " + jar + ": run ./mvnw -B -q -pl sample-app install -DskipTests");
    }
    return Path.of(jar);
  }

  public Path workDir() {
    return workDir;
  }

  /** A deployer of the sample app on this fixture's work directory, with {@code extra} settings. */
  public LocalProcessDeployer deployer(Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("workDir", workDir.toString());
    settings.put("sampleAppJar", sampleAppJar().toString());
    settings.putAll(extra);
    return LocalProcessDeployer.fromRef(new ProviderRef("local-process", settings));
  }

  public LocalProcessDeployer deployer() {
    return deployer(Map.of());
  }

  /** A target on loopback with a port nothing listens on right now. */
  public static Target target(String id) {
    return new Target(id, "127.0.0.1", freePort(), null);
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a sample-app behaviour file into the work directory. */
  public Path behaviorFile(String... lines) {
    try {
      Files.createDirectories(workDir);
      return Files.writeString(
          workDir.resolve("behavior.properties"), String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code GET http://target/path}; throws when nothing answers. */
  public static HttpResponse<String> get(Target target, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + target.address() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The lines of {@code deployer.log}, empty when it does not exist yet. */
  public List<String> deployerLog() throws IOException {
    Path log = workDir.resolve(DeployerLog.FILE);
    return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
  }
}
