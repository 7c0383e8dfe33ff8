package dev.sluice.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.activities.deploy.localprocess.LocalFleet;
import dev.sluice.activities.deploy.localprocess.LocalFleetFixture;
import dev.sluice.activities.deploy.localprocess.LocalProcessDeployer;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.ports.Heartbeat;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice stop-instances}: real sample-app instances started by the local-process deployer
 * for a service the real API holds, stopped by the command.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class StopInstancesCommandTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  @TempDir Path workDir;

  @AfterEach
  void stopLeftovers() {
    LocalFleet.stopAll(workDir);
  }

  @Test
  void stopsTheServicesInstancesAndSaysWhichItStopped() throws Exception {
    LocalFleetFixture fleet = new LocalFleetFixture(workDir);
    LocalProcessDeployer deployer = fleet.deployer();
    List<Target> targets = List.of(LocalFleetFixture.target("t1"), LocalFleetFixture.target("t2"));
    List<ProcessHandle> processes = new ArrayList<>();
    List<Map<String, Object>> fleetSpec = new ArrayList<>();
    for (Target target : targets) {
      DeployResult result =
          deployer.deploy(target, "2.0.0", "dep-1/" + target.id() + "/upgrade", Heartbeat.NONE);
      assertThat(result.ok()).as(result.detail()).isTrue();
      processes.add(pidOf(target));
      fleetSpec.add(Map.of("id", target.id(), "host", target.host(), "port", target.port()));
    }
    Map<String, Object> service =
        Map.of(
            "fleet",
            fleetSpec,
            "trafficRouter",
            Map.of(
                "type",
                "haproxy",
                "settings",
                Map.of("socket", "/tmp/none.sock", "backend", "app")),
            "deployer",
            Map.of(
                "type",
                "local-process",
                "settings",
                Map.of(
                    "workDir",
                    workDir.toString(),
                    "sampleAppJar",
                    LocalFleetFixture.sampleAppJar().toString())));
    URI base = URI.create("http://127.0.0.1:" + APP.getLocalPort());
    new SluiceClient(base, "alice").put("/api/v1/services/shop", service).expect(201);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = StopInstancesCommand.stop("shop", base, null, print(out), print(err));

    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "stopped t1 (version 2.0.0, pid " + processes.get(0).pid() + ")",
            "stopped t2 (version 2.0.0, pid " + processes.get(1).pid() + ")");
    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    for (Target target : targets) {
      assertThat(bindable(target)).as("port of " + target.id() + " is free").isTrue();
      assertThat(deployer.describe(target)).isEqualTo(new TargetRuntime(target.id(), null, false));
    }
    out.reset();
    assertThat(StopInstancesCommand.stop("shop", base, null, print(out), print(err))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("no instances recorded in");
  }

  @Test
  void aServiceThatDoesNotExistOrNoServiceAndNoStateDirIsAnError() throws Exception {
    URI base = URI.create("http://127.0.0.1:" + APP.getLocalPort());
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    assertThat(StopInstancesCommand.stop("nope", base, null, System.out, print(err))).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no service nope");
    assertThat(StopInstancesCommand.stop(null, base, null, System.out, print(err))).isEqualTo(2);
  }

  private ProcessHandle pidOf(Target target) {
    return LocalFleet.instances(workDir).stream()
        .filter(state -> state.target().equals(target.id()))
        .findFirst()
        .flatMap(state -> ProcessHandle.of(state.pid()))
        .orElseThrow();
  }

  private static boolean bindable(Target target) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(target.host(), target.port()));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
