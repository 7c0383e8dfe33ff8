package dev.sluice.api;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The real Sluice application on free ports, for resource tests. */
public final class ApiFixture {

  private ApiFixture() {}

  public static DropwizardAppExtension<SluiceConfiguration> app(ConfigOverride... extra) {
    return app("api-test.yml", extra);
  }

  public static DropwizardAppExtension<SluiceConfiguration> app(
      String config, ConfigOverride... extra) {
    Path home;
    try {
      home = Files.createTempDirectory("sluice-api-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<ConfigOverride> overrides = new ArrayList<>();
    overrides.add(ConfigOverride.config("home", home.toString()));
    overrides.add(
        ConfigOverride.config(
            "database.url", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
    overrides.addAll(List.of(extra));
    return new DropwizardAppExtension<>(
        SluiceApplication.class,
        ResourceHelpers.resourceFilePath(config),
        overrides.toArray(new ConfigOverride[0]));
  }

  /** A valid service definition: two targets behind HAProxy, deployed by local processes. */
  public static Map<String, Object> service() {
    return Map.of(
        "fleet",
        List.of(
            Map.of("id", "t1", "host", "127.0.0.1", "port", 9101),
            Map.of("id", "t2", "host", "127.0.0.1", "port", 9102)),
        "trafficRouter",
        Map.of("type", "haproxy", "settings", Map.of("socket", "/tmp/none.sock", "backend", "app")),
        "deployer",
        Map.of("type", "local-process", "settings", Map.of("sampleAppJar", "/tmp/none.jar")));
  }
}
