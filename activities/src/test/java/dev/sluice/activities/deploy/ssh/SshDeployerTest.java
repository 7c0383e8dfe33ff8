package dev.sluice.activities.deploy.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh deployer against a real OpenSSH server on loopback: logins, host keys, the remote
 * script's marker and history, failures and timeouts, with the custom template writing files on
 * "the host".
 */
class SshDeployerTest {

  @TempDir static Path dir;
  static SshdInstance sshd;
  static Path host;
  static final Target WEB1 = new Target("web-1", "127.0.0.1", 18080, null);

  @BeforeAll
  static void startSshd() throws Exception {
    sshd = SshdInstance.start(dir.resolve("sshd"));
    host = Files.createDirectories(dir.resolve("host"));
  }

  @AfterAll
  static void stopSshd() {
    if (sshd != null) {
      sshd.close();
    }
  }

  /** The custom template: deploy writes the version to a file per target, which is read back. */
  static Map<String, Object> fileTemplate() {
    Map<String, Object> template = new LinkedHashMap<>();
    template.put("type", "custom");
    template.put(
        "deploy",
        List.of(
            List.of(
                "sh",
                "-c",
                "printf '%s\\n' \"$1\" > \"$2\"",
                "sh",
                "{{version}}",
                host + "/{{target}}.version")));
    template.put("currentVersion", List.of("cat", host + "/{{target}}.version"));
    return template;
  }

  static SshDeployer deployer(Consumer<Map<String, Object>> change) {
    Map<String, Object> settings = sshd.deployerSettings(fileTemplate());
    change.accept(settings);
    return SshDeployer.fromRef(new ProviderRef("ssh", settings));
  }

  static Path history(Target target) {
    return sshd.hostState().resolve(target.id() + ".history");
  }

  @Test
  void aDeployRunsTheTemplateOnTheHostAndDescribeReadsTheVersionBack() throws IOException {
    Target target = new Target("deploy-1", "127.0.0.1", 18081, null);
    try (SshDeployer deployer = deployer(s -> {})) {
      AtomicInteger beats = new AtomicInteger();
      DeployResult result =
          deployer.deploy(target, "2.0.0", "dep-1/deploy-1/deploy", d -> beats.incrementAndGet());

      assertThat(result.ok()).as(result.detail()).isTrue();
      assertThat(result.alreadyDone()).isFalse();
      assertThat(result.detail()).contains("deployed 2.0.0 on").contains(":" + sshd.port());
      assertThat(Files.readString(host.resolve("deploy-1.version"), UTF_8)).isEqualTo("2.0.0\n");
      assertThat(Files.readString(sshd.hostState().resolve("deploy-1.deployed"), UTF_8))
          .isEqualTo("dep-1/deploy-1/deploy 2.0.0\n");
      assertThat(deployer.describe(target)).isEqualTo(new TargetRuntime("deploy-1", "2.0.0", true));
    }
  }

  @Test
  void aRetriedRequestIsSkippedOnTheHostButANewRequestRunsAgain() throws IOException {
    Target target = new Target("retry-1", "127.0.0.1", 18082, null);
    try (SshDeployer deployer = deployer(s -> {})) {
      assertThat(deployer.deploy(target, "2.0.0", "dep-2/retry-1/deploy", Heartbeat.NONE).ok())
          .isTrue();
      Files.writeString(host.resolve("retry-1.version"), "tampered\n");

      DeployResult retry = deployer.deploy(target, "2.0.0", "dep-2/retry-1/deploy", Heartbeat.NONE);
      assertThat(retry.ok()).isTrue();
      assertThat(retry.alreadyDone()).as(retry.detail()).isTrue();
      assertThat(Files.readString(host.resolve("retry-1.version"))).isEqualTo("tampered\n");

      DeployResult restore =
          deployer.deploy(target, "1.0.0", "dep-2/retry-1/restore", Heartbeat.NONE);
      assertThat(restore.alreadyDone()).isFalse();
      assertThat(Files.readString(host.resolve("retry-1.version"))).isEqualTo("1.0.0\n");
      List<String> lines = Files.readAllLines(history(target));
      assertThat(lines).hasSize(5);
      assertThat(lines.get(0)).endsWith(" start dep-2/retry-1/deploy 2.0.0");
      assertThat(lines.get(1)).endsWith(" done dep-2/retry-1/deploy 2.0.0");
      assertThat(lines.get(2)).endsWith(" already-done dep-2/retry-1/deploy 2.0.0");
      assertThat(lines.get(4)).endsWith(" done dep-2/retry-1/restore 1.0.0");
    }
  }

  @Test
  void anUnknownHostKeyFailsAtOnceNamingTheHostAndTheFingerprint() throws Exception {
    try (SshDeployer deployer =
        deployer(s -> s.put("knownHosts", sshd.emptyKnownHosts().toString()))) {
      assertThatThrownBy(() -> deployer.deploy(WEB1, "2.0.0", "r/unknown", Heartbeat.NONE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("host 127.0.0.1:" + sshd.port())
          .hasMessageContaining("ssh-ed25519 key " + fingerprint(sshd.hostKey()))
          .hasMessageContaining("does not list");
    }
    assertThat(Files.readString(sshd.emptyKnownHosts())).isEmpty();
  }

  @Test
  void aChangedHostKeyFailsAtOnceNamingBothFingerprintsEvenWhenNewHostsAreAccepted()
      throws Exception {
    try (SshDeployer deployer =
        deployer(
            s -> {
              s.put("knownHosts", sshd.changedKnownHosts().toString());
              s.put("hostKeys", "accept-new");
            })) {
      assertThatThrownBy(() -> deployer.deploy(WEB1, "2.0.0", "r/changed", Heartbeat.NONE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("host 127.0.0.1:" + sshd.port())
          .hasMessageContaining("presented ssh-ed25519 key " + fingerprint(sshd.hostKey()))
          .hasMessageContaining(
              "lists ssh-ed25519 key " + fingerprint(sshd.dir().resolve("other_host_ed25519")))
          .hasMessageContaining("has changed");
    }
  }

  @Test
  void acceptNewTrustsAnUnknownHostOnFirstUseAndRecordsItsKey() throws Exception {
    Path knownHosts = dir.resolve("known_hosts.tofu");
    Files.writeString(knownHosts, "");
    try (SshDeployer deployer =
        deployer(
            s -> {
              s.put("knownHosts", knownHosts.toString());
              s.put("hostKeys", "accept-new");
            })) {
      assertThat(
              deployer
                  .deploy(
                      new Target("tofu-1", "127.0.0.1", 18083, null),
                      "2.0.0",
                      "r/tofu",
                      Heartbeat.NONE)
                  .ok())
          .isTrue();
    }
    String pub = Files.readString(Path.of(sshd.hostKey() + ".pub")).split(" ")[1];
    assertThat(Files.readString(knownHosts)).contains(sshd.port() + "").contains(pub);
  }

  @Test
  void aHostThatRefusesTheKeyFailsAtOnceNamingTheUserAndTheKey() throws Exception {
    try (SshDeployer deployer =
        deployer(
            s -> {
              s.put("identityFile", sshd.strangerKey().toString());
              s.remove("passphraseFile");
            })) {
      assertThatThrownBy(() -> deployer.deploy(WEB1, "2.0.0", "r/stranger", Heartbeat.NONE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("host 127.0.0.1:" + sshd.port() + " refused user")
          .hasMessageContaining(fingerprint(sshd.strangerKey()));
    }
  }

  @Test
  void anEncryptedKeyWithoutItsPassphraseIsAConfigurationErrorNamingTheFile() {
    try (SshDeployer deployer = deployer(s -> s.remove("passphraseFile"))) {
      assertThatThrownBy(() -> deployer.deploy(WEB1, "2.0.0", "r/nopass", Heartbeat.NONE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(sshd.userKey().toString())
          .hasMessageContaining("passphrase")
          .hasMessageNotContaining(SshdInstance.PASSPHRASE);
    }
  }

  @Test
  void aHostThatCannotBeReachedIsARetryableError() throws Exception {
    int closed;
    try (var socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    int port = closed;
    try (SshDeployer deployer = deployer(s -> s.put("port", port))) {
      assertThatThrownBy(() -> deployer.deploy(WEB1, "2.0.0", "r/down", Heartbeat.NONE))
          .isInstanceOf(UncheckedIOException.class)
          .isNotInstanceOf(ConfigurationException.class)
          .hasMessageContaining("cannot connect to 127.0.0.1:" + port);
    }
  }

  @Test
  void aConnectionThatDropsMidDeployIsRetryableAndTheRetryFindsTheDeployDoneOnTheHost()
      throws Exception {
    Target target = new Target("drop-1", "127.0.0.1", 18091, null);
    Map<String, Object> template = new LinkedHashMap<>(fileTemplate());
    List<Object> deploy = new ArrayList<>(List.of(List.of("sleep", "3")));
    deploy.addAll((List<?>) fileTemplate().get("deploy"));
    template.put("deploy", deploy);
    try (SshDeployer deployer = deployer(s -> s.put("template", template))) {
      CompletableFuture<DeployResult> first =
          CompletableFuture.supplyAsync(
              () -> deployer.deploy(target, "2.0.0", "r/drop", Heartbeat.NONE));
      Awaitility.await("the deploy started on the host")
          .atMost(Duration.ofSeconds(20))
          .until(() -> Files.exists(history(target)));
      assertThat(sshd.dropConnections()).isPositive();

      assertThatThrownBy(first::join)
          .hasCauseInstanceOf(UncheckedIOException.class)
          .cause()
          .isNotInstanceOf(ConfigurationException.class)
          .hasMessageContaining("while deploying 2.0.0 to drop-1");
      DeployResult retry = deployer.deploy(target, "2.0.0", "r/drop", Heartbeat.NONE);

      assertThat(retry.ok()).isTrue();
      assertThat(retry.alreadyDone()).as(retry.detail()).isTrue();
      assertThat(Files.readString(host.resolve("drop-1.version"))).isEqualTo("2.0.0\n");
      assertThat(Files.readAllLines(history(target)))
          .extracting(l -> l.substring(l.indexOf(' ') + 1))
          .containsExactly("start r/drop 2.0.0", "done r/drop 2.0.0", "already-done r/drop 2.0.0");
    }
  }

  @Test
  void aFailingCommandFailsTheDeployWithItsExitStatusAndOutput() throws IOException {
    Target target = new Target("fail-1", "127.0.0.1", 18084, null);
    Map<String, Object> template = new LinkedHashMap<>(fileTemplate());
    template.put(
        "deploy",
        List.of(List.of("sh", "-c", "echo pulling {{version}}; echo 'no such image' >&2; exit 3")));
    try (SshDeployer deployer = deployer(s -> s.put("template", template))) {
      DeployResult result = deployer.deploy(target, "9.9.9", "r/fail", Heartbeat.NONE);

      assertThat(result.ok()).isFalse();
      assertThat(result.detail())
          .contains("failed (exit 3)")
          .contains("pulling 9.9.9")
          .contains("no such image")
          .contains("sluice: exit 3:");
    }
    assertThat(Files.readAllLines(history(target)).get(1)).endsWith("failed r/fail 9.9.9 (exit 3)");
    assertThat(sshd.hostState().resolve("fail-1.deployed")).doesNotExist();
  }

  @Test
  void aCommandThatHangsPastItsTimeoutIsStoppedOnTheHostAndFailsTheDeploy() throws IOException {
    Target target = new Target("hang-1", "127.0.0.1", 18085, null);
    Map<String, Object> template = new LinkedHashMap<>(fileTemplate());
    template.put("deploy", List.of(List.of("sleep", "600")));
    try (SshDeployer deployer =
        deployer(
            s -> {
              s.put("template", template);
              s.put("commandTimeout", "2s");
            })) {
      List<Object> beats = new ArrayList<>();
      DeployResult result = deployer.deploy(target, "2.0.0", "r/hang", beats::add);

      assertThat(result.ok()).isFalse();
      assertThat(result.detail()).contains("timed out after 2s: sleep 600");
      assertThat(beats).isNotEmpty();
    }
    Awaitility.await("the hanging command is gone from the host")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                ProcessHandle.allProcesses()
                    .noneMatch(
                        p ->
                            p.info()
                                .commandLine()
                                .map(c -> c.endsWith("sleep 600"))
                                .orElse(false)));
    assertThat(Files.readAllLines(history(target)).get(1)).contains("failed r/hang 2.0.0");
  }

  @Test
  void aVersionWithShellMetacharactersNeverReachesTheHost() throws IOException {
    Target target = new Target("meta-1", "127.0.0.1", 18086, null);
    Path pwned = dir.resolve("pwned");
    try (SshDeployer deployer = deployer(s -> {})) {
      assertThatThrownBy(
              () -> deployer.deploy(target, "1.0;touch " + pwned, "r/meta", Heartbeat.NONE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("refusing to send version");
    }
    assertThat(pwned).doesNotExist();
    assertThat(history(target)).doesNotExist();
  }

  @Test
  void argumentsFullOfShellMetacharactersArriveOnTheHostVerbatim() throws IOException {
    Target target = new Target("verbatim-1", "127.0.0.1", 18092, null);
    Path pwned = dir.resolve("pwned-too");
    String nasty = "$(touch " + pwned + "); `touch " + pwned + "`; it's \"q\" | & > < * ~ \\ \n=x";
    Map<String, Object> template = new LinkedHashMap<>(fileTemplate());
    template.put(
        "deploy",
        List.of(
            List.of("sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh", nasty, host + "/verbatim")));
    try (SshDeployer deployer = deployer(s -> s.put("template", template))) {
      DeployResult result = deployer.deploy(target, "2.0.0", "r/verbatim", Heartbeat.NONE);
      assertThat(result.ok()).as(result.detail()).isTrue();
    }
    assertThat(Files.readString(host.resolve("verbatim"))).isEqualTo(nasty);
    assertThat(pwned).doesNotExist();
  }

  @Test
  void aTargetIdThatCannotNameAFileIsRefusedBeforeAnyConnection() {
    try (SshDeployer deployer = deployer(s -> s.put("port", 1))) {
      assertThatThrownBy(
              () ->
                  deployer.deploy(
                      new Target("../etc", "127.0.0.1", 18093, null),
                      "2.0.0",
                      "r/id",
                      Heartbeat.NONE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("target id \"../etc\"");
    }
  }

  @Test
  void hashedKnownHostsEntriesAreHonoured() throws Exception {
    Path hashed = dir.resolve("known_hosts.hashed");
    Files.copy(sshd.knownHosts(), hashed);
    Process keygen =
        new ProcessBuilder("ssh-keygen", "-H", "-f", hashed.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(keygen.waitFor()).isZero();
    assertThat(Files.readString(hashed)).startsWith("|1|").doesNotContain("127.0.0.1");
    try (SshDeployer deployer = deployer(s -> s.put("knownHosts", hashed.toString()))) {
      DeployResult result =
          deployer.deploy(
              new Target("hashed-1", "127.0.0.1", 18094, null),
              "2.0.0",
              "r/hashed",
              Heartbeat.NONE);
      assertThat(result.ok()).as(result.detail()).isTrue();
    }
  }

  @Test
  void aMissingKnownHostsFileIsAConfigurationErrorWhenHostKeysAreStrict() {
    Path missing = dir.resolve("no-such-known-hosts");
    try (SshDeployer deployer = deployer(s -> s.put("knownHosts", missing.toString()))) {
      assertThatThrownBy(() -> deployer.deploy(WEB1, "2.0.0", "r/missing", Heartbeat.NONE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(missing + " does not exist");
    }
  }

  @Test
  void anUnknownSettingIsRefusedSoASecretPastedByMistakeIsNotStored() {
    assertThatThrownBy(() -> deployer(s -> s.put("passphrase", "hunter2")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("unknown settings [passphrase]");
  }

  @Test
  void outputIsBoundedAndItsSecretsAreMasked() throws IOException {
    Target target = new Target("secret-1", "127.0.0.1", 18087, null);
    Map<String, Object> template = new LinkedHashMap<>(fileTemplate());
    template.put(
        "deploy",
        List.of(
            List.of(
                "sh", "-c", "i=0; while [ $i -lt 500 ]; do echo filler-line-$i; i=$((i+1)); done"),
            List.of(
                "echo",
                "DB_PASSWORD=hunter22",
                "token: abc123def",
                "key is " + SshdInstance.PASSPHRASE)));
    try (SshDeployer deployer =
        deployer(
            s -> {
              s.put("template", template);
              s.put("outputLimit", 512);
            })) {
      DeployResult result = deployer.deploy(target, "2.0.0", "r/secret", Heartbeat.NONE);

      assertThat(result.ok()).as(result.detail()).isTrue();
      assertThat(result.detail())
          .doesNotContain("hunter22")
          .doesNotContain("abc123def")
          .doesNotContain(SshdInstance.PASSPHRASE)
          .contains("DB_PASSWORD=***")
          .doesNotContain("filler-line-1\n");
      assertThat(result.detail().length()).isLessThan(800);
    }
  }

  @Test
  void theAgentsKeysLogIn() throws Exception {
    Path socket = dir.resolve("agent.sock");
    Process agent =
        new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
            .redirectErrorStream(true)
            .start();
    try {
      Awaitility.await("ssh-agent listens on " + socket)
          .atMost(Duration.ofSeconds(10))
          .until(() -> Files.exists(socket));
      ProcessBuilder add =
          new ProcessBuilder("ssh-add", sshd.plainKey().toString()).redirectErrorStream(true);
      add.environment().put("SSH_AUTH_SOCK", socket.toString());
      Process added = add.start();
      assertThat(added.waitFor())
          .as(new String(added.getInputStream().readAllBytes(), UTF_8))
          .isZero();
      Target target = new Target("agent-1", "127.0.0.1", 18088, null);
      try (SshDeployer deployer =
          deployer(
              s -> {
                s.remove("identityFile");
                s.remove("passphraseFile");
                s.put("agent", true);
                s.put("agentSocket", socket.toString());
              })) {
        DeployResult result = deployer.deploy(target, "2.0.0", "r/agent", Heartbeat.NONE);
        assertThat(result.ok()).as(result.detail()).isTrue();
      }
    } finally {
      agent.destroy();
    }
  }

  @Test
  void aJumpHostWithoutAUserLogsInAsTheTargetsUser() {
    Target target = new Target("jump-2", "127.0.0.1", 18095, null);
    try (SshDeployer deployer = deployer(s -> s.put("jumpHost", "127.0.0.1:" + sshd.port()))) {
      DeployResult result = deployer.deploy(target, "2.0.0", "r/jump2", Heartbeat.NONE);
      assertThat(result.ok()).as(result.detail()).isTrue();
    }
  }

  @Test
  void aJumpHostCarriesTheConnection() {
    Target target = new Target("jump-1", "127.0.0.1", 18089, null);
    try (SshDeployer deployer =
        deployer(
            s ->
                s.put("jumpHost", System.getProperty("user.name") + "@127.0.0.1:" + sshd.port()))) {
      DeployResult result = deployer.deploy(target, "2.0.0", "r/jump", Heartbeat.NONE);
      assertThat(result.ok()).as(result.detail()).isTrue();
      assertThat(deployer.describe(target).version()).isEqualTo("2.0.0");
    }
  }

  private static String fingerprint(Path key) throws Exception {
    Process p =
        new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    p.waitFor();
    return out.split(" ")[1];
  }
}
