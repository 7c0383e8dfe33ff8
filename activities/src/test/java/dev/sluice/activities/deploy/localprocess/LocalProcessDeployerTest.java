package dev.sluice.activities.deploy.localprocess;

import static dev.sluice.activities.deploy.localprocess.LocalFleetFixture.get;
import static dev.sluice.activities.deploy.localprocess.LocalFleetFixture.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.ports.Heartbeat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProcessDeployerTest {

  @TempDir Path workDir;

  private LocalFleetFixture fleet;
  private final List<Process> otherProcesses = new ArrayList<>();

  @BeforeEach
  void setUp() {
    fleet = new LocalFleetFixture(workDir);
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    LocalFleet.stopAll(workDir);
    for (Process process : otherProcesses) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(LocalFleet.instances(workDir)).isEmpty();
  }

  private static long pidOf(LocalProcessDeployer deployer, Target target) {
    return InstanceState.read(deployer.settings().instanceDir(target.id())).orElseThrow().pid();
  }

  private long countLog(String... fragments) throws Exception {
    return fleet.deployerLog().stream()
        .filter(line -> List.of(fragments).stream().allMatch(f -> line.contains(" " + f)))
        .count();
  }

  @Test
  void deployStartsTheVersionAndItServes() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");

    DeployResult result = deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE);

    assertThat(result.ok()).as(result.detail()).isTrue();
    assertThat(result.alreadyDone()).isFalse();
    assertThat(result.version()).isEqualTo("2.0.0");
    assertThat(get(t1, "/api/version").body())
        .isEqualTo("{\"version\":\"2.0.0\",\"target\":\"t1\"}");
    assertThat(deployer.describe(t1)).isEqualTo(new TargetRuntime("t1", "2.0.0", true));
    assertThat(fleet.deployerLog())
        .singleElement()
        .asString()
        .matches(
            "\\S+Z action=deploy target=t1 version=2.0.0 requestId=dep-1/t1/upgrade"
                + " outcome=started pid=\\d+");
    assertThat(Files.readString(workDir.resolve("t1/app.log")))
        .contains("sample-app 2.0.0 listening on " + t1.port());
  }

  @Test
  void redeployOfAnotherVersionReplacesTheRunningInstance() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");
    assertThat(deployer.deploy(t1, "1.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();
    ProcessHandle old = ProcessHandle.of(pidOf(deployer, t1)).orElseThrow();

    DeployResult result = deployer.deploy(t1, "2.0.0", "dep-2/t1/upgrade", Heartbeat.NONE);

    assertThat(result.ok()).as(result.detail()).isTrue();
    assertThat(old.isAlive()).isFalse();
    assertThat(pidOf(deployer, t1)).isNotEqualTo(old.pid());
    assertThat(get(t1, "/api/version").body()).contains("\"version\":\"2.0.0\"");
    assertThat(countLog("action=stop", "target=t1", "version=1.0.0", "outcome=stopped"))
        .isEqualTo(1);
    // The sample app drains on SIGTERM and says so on its way out.
    assertThat(Files.readString(workDir.resolve("t1/app.log")))
        .contains("sample-app 1.0.0 stopped");
  }

  @Test
  void redeploySameRequestIsANoOp() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");
    assertThat(deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();
    long pid = pidOf(deployer, t1);

    DeployResult again = deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE);

    assertThat(again.ok()).isTrue();
    assertThat(again.alreadyDone()).isTrue();
    assertThat(pidOf(deployer, t1)).isEqualTo(pid);
    assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
    assertThat(countLog("requestId=dep-1/t1/upgrade", "outcome=started")).isEqualTo(1);
    assertThat(countLog("requestId=dep-1/t1/upgrade", "outcome=already-done")).isEqualTo(1);
    assertThat(countLog("action=stop")).isZero();
  }

  @Test
  void sameVersionForANewRequestStartsAFreshInstance() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");
    assertThat(deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();
    long pid = pidOf(deployer, t1);

    DeployResult rollback = deployer.deploy(t1, "2.0.0", "dep-2/t1/rollback", Heartbeat.NONE);

    assertThat(rollback.ok()).isTrue();
    assertThat(rollback.alreadyDone()).isFalse();
    assertThat(pidOf(deployer, t1)).isNotEqualTo(pid);
  }

  @Test
  void versionThatExitsAtOnceFailsWithTheEndOfItsLog() throws Exception {
    Path behavior = fleet.behaviorFile("9.9.9.crashOnStart=true");
    LocalProcessDeployer deployer = fleet.deployer(Map.of("behaviorFile", behavior.toString()));
    Target t1 = target("t1");

    DeployResult result = deployer.deploy(t1, "9.9.9", "dep-1/t1/upgrade", Heartbeat.NONE);

    assertThat(result.ok()).isFalse();
    assertThat(result.detail())
        .contains("9.9.9 exited with status 1 before listening on " + t1.address())
        .contains("last lines of")
        .contains("version 9.9.9 is configured to crash on start");
    assertThat(deployer.describe(t1)).isEqualTo(new TargetRuntime("t1", null, false));
    assertThat(countLog("target=t1", "outcome=failed", "reason=exited")).isEqualTo(1);
  }

  @Test
  void versionThatDoesNotListenInTimeIsStoppedAndFails() throws Exception {
    Path behavior = fleet.behaviorFile("5.0.0.startupDelayMs=60000");
    LocalProcessDeployer deployer =
        fleet.deployer(Map.of("behaviorFile", behavior.toString(), "startTimeout", "1s"));
    Target t1 = target("t1");

    DeployResult result = deployer.deploy(t1, "5.0.0", "dep-1/t1/upgrade", Heartbeat.NONE);

    assertThat(result.ok()).isFalse();
    assertThat(result.detail()).contains("did not listen on " + t1.address() + " within 1000 ms");
    long pid = Long.parseLong(logValue("outcome=started", "pid"));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(countLog("target=t1", "outcome=failed", "reason=timeout")).isEqualTo(1);
  }

  @Test
  void heartbeatsWhileTheInstanceStarts() throws Exception {
    Path behavior = fleet.behaviorFile("2.0.0.startupDelayMs=2500");
    LocalProcessDeployer deployer = fleet.deployer(Map.of("behaviorFile", behavior.toString()));
    List<Object> beats = new CopyOnWriteArrayList<>();

    DeployResult result = deployer.deploy(target("t1"), "2.0.0", "dep-1/t1/upgrade", beats::add);

    assertThat(result.ok()).as(result.detail()).isTrue();
    assertThat(beats).hasSizeGreaterThanOrEqualTo(2);
    assertThat(beats.get(0))
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsEntry("target", "t1")
        .containsEntry("phase", "starting");
  }

  @Test
  void stateSurvivesANewDeployerInstance() throws Exception {
    Target t1 = target("t1");
    LocalProcessDeployer first = fleet.deployer();
    assertThat(first.deploy(t1, "1.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();
    ProcessHandle started = ProcessHandle.of(pidOf(first, t1)).orElseThrow();

    // A new worker: its own deployer object, nothing shared but the work directory.
    LocalProcessDeployer second = fleet.deployer();

    assertThat(second.describe(t1)).isEqualTo(new TargetRuntime("t1", "1.0.0", true));
    assertThat(second.deploy(t1, "1.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).alreadyDone())
        .isTrue();
    assertThat(second.deploy(t1, "2.0.0", "dep-2/t1/upgrade", Heartbeat.NONE).ok()).isTrue();
    assertThat(started.isAlive()).isFalse();
    assertThat(get(t1, "/api/version").body()).contains("\"version\":\"2.0.0\"");
  }

  @Test
  void instancesOutliveTheJvmThatStartedThem() throws Exception {
    Target t1 = target("t1");
    Process worker =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DeployFromAnotherJvm.class.getName(),
                workDir.toString(),
                LocalFleetFixture.sampleAppJar().toString(),
                t1.id(),
                Integer.toString(t1.port()),
                "3.1.0",
                "dep-1/t1/upgrade")
            .redirectErrorStream(true)
            .start();
    otherProcesses.add(worker);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
    assertThat(line).startsWith("deployed ok=true");

    worker.destroyForcibly(); // SIGKILL, as a crashing worker
    assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(get(t1, "/api/version").body()).contains("\"version\":\"3.1.0\"");
    LocalProcessDeployer successor = fleet.deployer();
    assertThat(successor.describe(t1)).isEqualTo(new TargetRuntime("t1", "3.1.0", true));
    DeployResult retry = successor.deploy(t1, "3.1.0", "dep-1/t1/upgrade", Heartbeat.NONE);
    assertThat(retry.alreadyDone()).isTrue();
    assertThat(countLog("requestId=dep-1/t1/upgrade", "outcome=started")).isEqualTo(1);
  }

  @Test
  void portTakenByAForeignProcessFailsTheDeploy() throws Exception {
    try (ServerSocket foreign = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Target t1 = new Target("t1", "127.0.0.1", foreign.getLocalPort(), null);
      LocalProcessDeployer deployer = fleet.deployer();

      DeployResult result = deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE);

      assertThat(result.ok()).isFalse();
      assertThat(result.detail())
          .contains("port " + t1.port() + " is in use by a process this deployer did not start");
      assertThat(countLog("target=t1", "outcome=failed", "reason=port-taken")).isEqualTo(1);
      assertThat(countLog("outcome=started")).isZero();
    }
  }

  @Test
  void instanceListensOnTheTargetsHostOnly() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");

    assertThat(deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();

    // 127.0.0.2 is loopback on Linux too: an instance bound to every interface answers there.
    assertThat(Instances.acceptsConnections("127.0.0.1", t1.port())).isTrue();
    assertThat(Instances.acceptsConnections("127.0.0.2", t1.port())).isFalse();
  }

  @Test
  void portTakenOnAnotherAddressOnlyDoesNotBlockTheTarget() throws Exception {
    try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"))) {
      Target t1 = new Target("t1", "127.0.0.1", other.getLocalPort(), null);

      DeployResult result =
          fleet.deployer().deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE);

      assertThat(result.ok()).as(result.detail()).isTrue();
      assertThat(get(t1, "/api/version").body()).contains("\"target\":\"t1\"");
    }
  }

  @Test
  void pidReusedByAnotherProcessIsNeverKilled() throws Exception {
    Process stranger = new ProcessBuilder("sleep", "120").start();
    otherProcesses.add(stranger);
    Target t1 = target("t1");
    // A state file left by an instance that died, whose pid the OS has since given to a stranger.
    new InstanceState(
            "t1",
            "1.0.0",
            "dep-0/t1/upgrade",
            stranger.pid(),
            "127.0.0.1",
            t1.port(),
            Instant.now().minusSeconds(3600),
            Instant.now().minusSeconds(3600),
            InstanceState.RUNNING)
        .write(workDir.resolve("t1"));
    LocalProcessDeployer deployer = fleet.deployer();

    assertThat(deployer.describe(t1)).isEqualTo(new TargetRuntime("t1", "1.0.0", false));
    DeployResult result = deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE);

    assertThat(result.ok()).as(result.detail()).isTrue();
    assertThat(stranger.isAlive()).isTrue();
    assertThat(countLog("action=stop")).isZero();
  }

  @Test
  void stopEndsTheInstanceAndForgetsIt() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");
    assertThat(deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();
    ProcessHandle process = ProcessHandle.of(pidOf(deployer, t1)).orElseThrow();

    deployer.stop(t1);
    deployer.stop(t1);

    assertThat(process.isAlive()).isFalse();
    assertThat(deployer.describe(t1)).isEqualTo(new TargetRuntime("t1", null, false));
    assertThat(countLog("action=stop", "target=t1", "outcome=stopped", "reason=stop")).isEqualTo(1);
  }

  @Test
  void stopAllStopsEveryRecordedInstance() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");
    Target t2 = target("t2");
    assertThat(deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();
    assertThat(deployer.deploy(t2, "2.0.0", "dep-1/t2/upgrade", Heartbeat.NONE).ok()).isTrue();
    List<ProcessHandle> processes =
        List.of(
            ProcessHandle.of(pidOf(deployer, t1)).orElseThrow(),
            ProcessHandle.of(pidOf(deployer, t2)).orElseThrow());

    List<String> stopped = LocalFleet.stopAll(workDir);

    assertThat(stopped).containsExactly("t1", "t2");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
    assertThat(LocalFleet.instances(workDir)).isEmpty();
  }

  @Test
  void stopOfNamedTargetsEndsTheirInstancesFreesThePortsAndSaysWhatItStopped() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");
    Target t2 = target("t2");
    Target other = target("other");
    for (Target target : List.of(t1, t2, other)) {
      DeployResult result =
          deployer.deploy(target, "2.0.0", "dep-1/" + target.id() + "/upgrade", Heartbeat.NONE);
      assertThat(result.ok()).as(result.detail()).isTrue();
    }
    long pid1 = pidOf(deployer, t1);
    long pid2 = pidOf(deployer, t2);
    List<ProcessHandle> processes =
        List.of(ProcessHandle.of(pid1).orElseThrow(), ProcessHandle.of(pid2).orElseThrow());

    List<StoppedInstance> stopped =
        LocalFleet.stop(workDir, List.of("t1", "t2", "t3"), Duration.ofSeconds(10));

    assertThat(stopped)
        .containsExactly(
            new StoppedInstance("t1", "2.0.0", pid1, "stopped"),
            new StoppedInstance("t2", "2.0.0", pid2, "stopped"));
    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(Instances.portFree(t1.host(), t1.port())).isTrue();
    assertThat(Instances.portFree(t2.host(), t2.port())).isTrue();
    assertThat(deployer.describe(t1)).isEqualTo(new TargetRuntime("t1", null, false));
    assertThat(deployer.describe(t2)).isEqualTo(new TargetRuntime("t2", null, false));
    assertThat(deployer.describe(other)).isEqualTo(new TargetRuntime("other", "2.0.0", true));
    assertThat(countLog("action=stop", "target=t1", "outcome=stopped", "reason=stop-instances"))
        .isEqualTo(1);
    assertThat(LocalFleet.stop(workDir, List.of("t1", "t2"), Duration.ofSeconds(10))).isEmpty();
  }

  @Test
  void stopOfAnInstanceThatDiedOnItsOwnForgetsItAndSaysSo() throws Exception {
    LocalProcessDeployer deployer = fleet.deployer();
    Target t1 = target("t1");
    assertThat(deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();
    long pid = pidOf(deployer, t1);
    ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
    process.destroyForcibly();
    process.onExit().get(10, TimeUnit.SECONDS);

    List<StoppedInstance> stopped = LocalFleet.stop(workDir, null, Duration.ofSeconds(10));

    assertThat(stopped).containsExactly(new StoppedInstance("t1", "2.0.0", pid, "not-running"));
    assertThat(LocalFleet.instances(workDir)).isEmpty();
  }

  @Test
  void missingSampleAppJarIsAConfigurationError() {
    assertThatThrownBy(
            () ->
                LocalProcessDeployer.fromRef(
                    new ProviderRef("local-process", Map.of("workDir", workDir.toString()))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'sampleAppJar'");

    LocalProcessDeployer deployer =
        fleet.deployer(Map.of("sampleAppJar", workDir.resolve("nope.jar").toString()));
    assertThatThrownBy(() -> deployer.deploy(target("t1"), "2.0.0", "r", Heartbeat.NONE))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no such file");
  }

  @Test
  void customCommandGetsPlaceholdersFilledIn() throws Exception {
    LocalProcessDeployer deployer =
        fleet.deployer(
            Map.of(
                "command",
                List.of(
                    "{java}",
                    "-jar",
                    "{sampleAppJar}",
                    "--port={port}",
                    "--version",
                    "{version}-custom",
                    "--target",
                    "{target}")));
    Target t1 = target("t1");

    assertThat(deployer.deploy(t1, "2.0.0", "dep-1/t1/upgrade", Heartbeat.NONE).ok()).isTrue();

    assertThat(get(t1, "/api/version").body()).contains("\"version\":\"2.0.0-custom\"");
    assertThatThrownBy(() -> fleet.deployer(Map.of("command", List.of("run", "{colour}"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("unknown placeholders [colour]");
  }

  @Test
  void targetIdThatCannotNameADirectoryIsAConfigurationError() {
    LocalProcessDeployer deployer = fleet.deployer();

    assertThatThrownBy(
            () ->
                deployer.deploy(
                    new Target("../etc", "127.0.0.1", 18080, null), "1", "r", Heartbeat.NONE))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("cannot name a directory");
  }

  private String logValue(String lineFragment, String key) throws Exception {
    String line =
        fleet.deployerLog().stream()
            .filter(l -> l.contains(lineFragment))
            .findFirst()
            .orElseThrow();
    for (String field : line.split(" ")) {
      if (field.startsWith(key + "=")) {
        return field.substring(key.length() + 1);
      }
    }
    throw new AssertionError("no " + key + " in " + line);
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
