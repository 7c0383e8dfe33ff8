package dev.sluice.activities.deploy.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.localprocess.LocalFleetFixture;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker and systemd templates over a real sshd: the docker one against a stand-in for {@code
 * docker} that runs real sample-app processes, the systemd one against a stand-in {@code systemctl}
 * (no systemd here) with real release directories and symlinks; and the settings each refuses.
 */
class SshTemplatesTest {

  @TempDir static Path dir;
  static SshdInstance sshd;
  static Path docker;

  @BeforeAll
  static void start() throws Exception {
    sshd = SshdInstance.start(dir.resolve("sshd"));
    docker = sshd.installDockerStandIn(LocalFleetFixture.sampleAppJar(), null);
  }

  @AfterAll
  static void stop() {
    if (sshd != null) {
      sshd.close();
    }
  }

  static SshDeployer deployer(Map<String, Object> template) {
    return SshDeployer.fromRef(new ProviderRef("ssh", sshd.deployerSettings(template)));
  }

  @Test
  void theDockerTemplateReplacesTheContainerAndReadsTheVersionFromItsLabel() throws Exception {
    Target target = new Target("app-1", "127.0.0.1", freePort(), null);
    Map<String, Object> template =
        Map.of(
            "type",
            "docker",
            "image",
            "registry.example:5000/shop/checkout",
            "docker",
            List.of(docker.toString()));
    try (SshDeployer deployer = deployer(template)) {
      assertThat(deployer.describe(target)).isEqualTo(new TargetRuntime("app-1", null, false));

      DeployResult first = deployer.deploy(target, "1.0.0", "d1/app-1/deploy", Heartbeat.NONE);
      assertThat(first.ok()).as(first.detail()).isTrue();
      awaitVersion(target, "1.0.0");
      DeployResult second = deployer.deploy(target, "2.0.0", "d2/app-1/deploy", Heartbeat.NONE);
      assertThat(second.ok()).as(second.detail()).isTrue();
      awaitVersion(target, "2.0.0");

      assertThat(deployer.describe(target)).isEqualTo(new TargetRuntime("app-1", "2.0.0", true));
      assertThat(second.detail()).contains("docker pull registry.example:5000/shop/checkout:2.0.0");
      List<String> calls = Files.readAllLines(sshd.containers().resolve("calls.log"));
      assertThat(calls.stream().map(l -> l.substring(l.indexOf(' ') + 1)))
          .contains(
              "pull registry.example:5000/shop/checkout:2.0.0",
              "stop --time 10 app-1",
              "rm app-1",
              "run --detach --name app-1 --restart unless-stopped --label sluice.version=2.0.0"
                  + " --label sluice.target=app-1 --publish "
                  + target.port()
                  + ":"
                  + target.port()
                  + " registry.example:5000/shop/checkout:2.0.0");

      deployer.stop(target);
      assertThat(deployer.describe(target).running()).isFalse();
    }
  }

  @Test
  void theSystemdTemplateSwitchesTheCurrentLinkRestartsTheUnitAndWritesTheVersionFile()
      throws Exception {
    Path app = Files.createDirectories(dir.resolve("opt/checkout"));
    Files.createDirectories(app.resolve("releases/1.0.0"));
    Files.createDirectories(app.resolve("releases/2.0.0"));
    Path systemctl = dir.resolve("systemctl");
    Files.writeString(
        systemctl,
        "#!/bin/sh\necho \"$*\" >> "
            + app.resolve("systemctl.log")
            + "\n"
            + "case \"$1\" in is-active) [ -f "
            + app.resolve("active")
            + " ] ;; restart) touch "
            + app.resolve("active")
            + " ;; stop) rm -f "
            + app.resolve("active")
            + " ;; esac\n");
    Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, Object> template = new LinkedHashMap<>();
    template.put("type", "systemd");
    template.put("unit", "checkout.service");
    template.put("releasesDir", app.resolve("releases").toString());
    template.put("systemctl", List.of(systemctl.toString()));
    Target target = new Target("unit-1", "127.0.0.1", 18090, null);
    try (SshDeployer deployer = deployer(template)) {
      assertThat(deployer.deploy(target, "1.0.0", "s1", Heartbeat.NONE).ok()).isTrue();
      DeployResult result = deployer.deploy(target, "2.0.0", "s2", Heartbeat.NONE);

      assertThat(result.ok()).as(result.detail()).isTrue();
      assertThat(Files.readSymbolicLink(app.resolve("current")))
          .isEqualTo(app.resolve("releases/2.0.0"));
      assertThat(Files.readString(app.resolve("current.version"))).isEqualTo("2.0.0\n");
      assertThat(deployer.describe(target)).isEqualTo(new TargetRuntime("unit-1", "2.0.0", true));

      DeployResult missing = deployer.deploy(target, "3.0.0", "s3", Heartbeat.NONE);
      assertThat(missing.ok()).isFalse();
      assertThat(missing.detail()).contains("releases/3.0.0").contains("No such file");
      assertThat(Files.readSymbolicLink(app.resolve("current")))
          .isEqualTo(app.resolve("releases/2.0.0"));

      deployer.stop(target);
      assertThat(deployer.describe(target)).isEqualTo(new TargetRuntime("unit-1", "2.0.0", false));
      assertThat(Files.readAllLines(app.resolve("systemctl.log")))
          .contains("restart checkout.service", "stop checkout.service");
    }
  }

  @Test
  void templateSettingsThatCannotWorkAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> deployer(Map.of("type", "docker")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'image' is required");
    assertThatThrownBy(() -> deployer(Map.of("type", "docker", "image", "shop/checkout:latest")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("without a tag");
    assertThatThrownBy(() -> deployer(Map.of("type", "kubernetes")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("docker, systemd or custom");
    assertThatThrownBy(
            () ->
                deployer(
                    Map.of(
                        "type", "custom",
                        "deploy", List.of("install", "{{verison}}"),
                        "currentVersion", List.of("cat", "v"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("unknown placeholders [verison]");
    assertThatThrownBy(() -> deployer(Map.of("type", "custom", "deploy", List.of("true"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'currentVersion' is required");
    Map<String, Object> noUser =
        sshd.deployerSettings(Map.of("type", "systemd", "unit", "u", "releasesDir", "/opt"));
    noUser.remove("user");
    assertThatThrownBy(() -> SshDeployer.fromRef(new ProviderRef("ssh", noUser)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'user' is required");
  }

  private static void awaitVersion(Target target, String version) {
    HttpClient http = HttpClient.newHttpClient();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () ->
                http.send(
                        HttpRequest.newBuilder(
                                URI.create("http://" + target.address() + "/api/version"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString(UTF_8))
                    .body()
                    .contains(version));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
