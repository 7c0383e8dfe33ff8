package dev.sluice.activities.deploy.ssm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.StandardProviders;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.aws.AwsUnavailableException;
import dev.sluice.activities.aws.MotoServer;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * The {@code ssm} deployer against moto in server mode as the SSM and EC2 endpoint, its instance
 * made with EC2's {@code RunInstances}.
 *
 * <p>What moto does not model: it executes nothing. {@code SendCommand} is recorded, and {@code
 * GetCommandInvocation} answers at once {@code Success}, response code 0 and empty output; no
 * agent, no delivery or execution timeout, no {@code Failed} status, and no check that the instance
 * exists or is a managed node ({@code InvalidInstanceId} on AWS) or that the document exists. So
 * these tests check for real what moto does model: what is sent (the document, the instance, the
 * script as the one {@code commands} parameter, the execution and delivery timeouts, the comment),
 * read back with {@code ListCommands}; polling until the terminal status, with heartbeats; the
 * errors moto answers; the settings refused. What the script does on an instance is tested by
 * running the very text the deployer sent, read back from moto, with {@code sh} in a temporary
 * directory, as {@code AWS-RunShellScript} runs its commands: marker, history, failure output.
 */
class SsmDeployerTest {

  @TempDir static Path dir;
  static MotoServer moto;
  static SsmClient ssm;
  static String instanceId;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start(dir.resolve("moto"));
    AwsConnection connection = new AwsConnection(MotoServer.REGION, moto.endpoint(), null);
    ssm = connection.build(SsmClient.builder());
    try (Ec2Client ec2 = connection.build(Ec2Client.builder())) {
      String image = ec2.describeImages().images().get(0).imageId();
      instanceId =
          ec2.runInstances(
                  r -> r.imageId(image).instanceType(InstanceType.T3_MICRO).minCount(1).maxCount(1))
              .instances()
              .get(0)
              .instanceId();
    }
  }

  @AfterAll
  static void stop() {
    if (ssm != null) {
      ssm.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void aDeploySendsTheScriptAsOneRunShellScriptCommandToTheInstanceAndPollsItToSuccess()
      throws Exception {
    List<Object> beats = new ArrayList<>();
    int before = sent().size();
    try (SsmDeployer deployer = deployer(Map.of())) {
      DeployResult result =
          deployer.deploy(target(), "1.2.0", "d1/" + instanceId + "/deploy", beats::add);

      assertThat(result.ok()).as(result.detail()).isTrue();
      assertThat(result.detail()).contains("deployed 1.2.0 on " + instanceId);
    }
    List<Command> sent = sent();
    assertThat(sent).hasSize(before + 1);
    Command command = sent.get(sent.size() - 1);
    assertThat(command.documentName()).isEqualTo("AWS-RunShellScript");
    assertThat(command.instanceIds()).containsExactly(instanceId);
    assertThat(command.comment()).isEqualTo("sluice: deploying 1.2.0 to " + instanceId);
    assertThat(command.timeoutSeconds()).isEqualTo(30);
    List<String> commands = command.parameters().get("commands");
    assertThat(commands).hasSize(1);
    assertThat(commands.get(0)).startsWith("sh -c ").contains("d1/" + instanceId + "/deploy 1.2.0");
    // One command of 3m: 190 s to run, 200 s to wait for the lock, 30 s for the rest.
    assertThat(command.parameters().get("executionTimeout")).containsExactly("420");
    SsmShell.Progress beat = (SsmShell.Progress) beats.get(beats.size() - 1);
    assertThat(beat.what()).isEqualTo("deploying 1.2.0 to " + instanceId);
    assertThat(beat.commandId()).isEqualTo(command.commandId());
    assertThat(beat.status()).isEqualTo("Success");
    // Temporal's converter serializes heartbeat details with Jackson.
    assertThat(new ObjectMapper().writeValueAsString(beat)).contains(command.commandId());
  }

  @Test
  void theScriptSentRunsTheTemplateOncePerRequestAndRecordsTheOutcome() throws Exception {
    Path state = dir.resolve("run-once");
    Path log = state.resolve("app.log");
    String script =
        sentScript(state, List.of("sh", "-c", "echo \"run {{version}}\" >> " + log), "r1");

    Run first = runLikeRunShellScript(script);
    assertThat(first.exit()).as(first.output()).isZero();
    assertThat(first.output()).contains("sluice$ sh -c");
    assertThat(Files.readString(log, UTF_8)).isEqualTo("run 1.2.0\n");
    assertThat(Files.readString(state.resolve(instanceId + ".deployed"), UTF_8))
        .isEqualTo("r1 1.2.0\n");

    Run again = runLikeRunShellScript(script);
    assertThat(again.exit()).isZero();
    assertThat(again.output().strip()).isEqualTo("sluice: already-done");
    assertThat(Files.readString(log, UTF_8)).isEqualTo("run 1.2.0\n");
    assertThat(Files.readAllLines(state.resolve(instanceId + ".history"), UTF_8))
        .extracting(line -> line.split(" ")[1])
        .containsExactly("start", "done", "already-done");
  }

  @Test
  void theScriptSentEndsWithTheFailingCommandsExitStatusAndOutput() throws Exception {
    Path state = dir.resolve("failing");
    String script =
        sentScript(state, List.of("sh", "-c", "echo broken password=hunter22 >&2; exit 3"), "r2");

    Run run = runLikeRunShellScript(script);

    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.output()).contains("broken password=hunter22").contains("sluice: exit 3:");
    assertThat(state.resolve(instanceId + ".deployed")).doesNotExist();
    assertThat(Files.readString(state.resolve(instanceId + ".history"), UTF_8))
        .contains("failed r2 1.2.0 (exit 3)");
  }

  @Test
  void describeAndStopRunTheTemplatesProbeAndStopThroughRunCommand() throws Exception {
    Path versionFile = dir.resolve("probe.version");
    Files.writeString(versionFile, "1.1.0\n", UTF_8);
    Map<String, Object> template = new LinkedHashMap<>(custom(List.of("true")));
    template.put("currentVersion", List.of("cat", versionFile.toString()));
    template.put("stop", List.of(List.of("echo", "stopping app")));
    try (SsmDeployer deployer = deployer(Map.of("template", template))) {
      // moto's empty output is no version.
      assertThat(deployer.describe(target())).isEqualTo(new TargetRuntime(instanceId, null, false));
      Command probe = last();
      assertThat(probe.comment()).isEqualTo("sluice: asking " + instanceId + " its version");
      Run asked = runLikeRunShellScript(probe.parameters().get("commands").get(0));
      assertThat(asked.output().strip()).isEqualTo("1.1.0");

      deployer.stop(target());
      Command stop = last();
      assertThat(stop.comment()).isEqualTo("sluice: stopping " + instanceId);
      assertThat(stop.parameters().get("commands").get(0)).contains("stopping app");
    }
  }

  @Test
  void instanceIdFromHostSendsToTheInstanceTheTargetsHostNames() {
    try (SsmDeployer deployer = deployer(Map.of("instanceIdFrom", "host"))) {
      DeployResult result =
          deployer.deploy(
              new Target("app-1", instanceId, 8080, null), "1.2.0", "d3/app-1/deploy", b -> {});
      assertThat(result.ok()).as(result.detail()).isTrue();
    }
    assertThat(last().instanceIds()).containsExactly(instanceId);
    assertThat(last().comment()).isEqualTo("sluice: deploying 1.2.0 to app-1");
  }

  @Test
  void aTargetWithoutAnInstanceIdIsRefusedBeforeAnythingIsSent() {
    int before = sent().size();
    try (SsmDeployer deployer = deployer(Map.of())) {
      assertThatThrownBy(
              () ->
                  deployer.deploy(
                      new Target("app-1", "10.0.0.5", 8080, null), "1.2.0", "d4", b -> {}))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("'app-1'")
          .hasMessageContaining("instanceIdFrom");
    }
    assertThat(sent()).hasSize(before);
  }

  @Test
  void anEndpointThatDoesNotAnswerIsARetryableError() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (SsmDeployer deployer = deployer(Map.of("endpoint", "http://127.0.0.1:" + port))) {
      assertThatThrownBy(() -> deployer.deploy(target(), "1.2.0", "d5", b -> {}))
          .isInstanceOf(AwsUnavailableException.class)
          .hasMessageContaining("SendCommand AWS-RunShellScript to " + instanceId);
    }
  }

  @Test
  void anUnknownCommandIsRefusedWithAwsWordsAndAnInvocationNotYetKnownIsNull() {
    SsmApi api = new SsmApi(ssm);
    assertThatThrownBy(() -> api.invocation("00000000-0000-0000-0000-000000000000", instanceId))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("InvalidCommandId");

    String commandId =
        api.send(
            "AWS-RunShellScript",
            instanceId,
            "true",
            Duration.ofSeconds(60),
            Duration.ofSeconds(30),
            "sluice: test");
    assertThat(api.invocation(commandId, "i-00000000000000000")).isNull();
    assertThat(api.invocation(commandId, instanceId).statusAsString()).isEqualTo("Success");
  }

  @Test
  void settingsAreCheckedWhenTheServiceIsSavedNamingTheSetting() {
    assertRefused(Map.of("stateDir", "relative/dir"), "'stateDir' must be an absolute path");
    assertRefused(Map.of("secretAccessKey", "x"), "secretAccessKey");
    assertRefused(Map.of("outputLimit", 30000), "'outputLimit' must be 0 to 24000");
    assertRefused(Map.of("instanceIdFrom", "name"), "'instanceIdFrom' must be id or host");
    assertRefused(Map.of("deliveryTimeout", "10s"), "'deliveryTimeout' must be 30s to 2m");
    assertRefused(Map.of("maxPollInterval", "20s"), "'maxPollInterval' must be at most 8s");
    assertRefused(Map.of("documentName", "no spaces allowed"), "'documentName'");
    assertRefused(Map.of("commandTimeout", "9m"), "'commandTimeout' must be at most 8m");
    Map<String, Object> noRegion = new LinkedHashMap<>(settings(Map.of()));
    noRegion.remove("region");
    assertThatThrownBy(() -> SsmDeployer.fromRef(new ProviderRef("ssm", noRegion)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("region");
    Map<String, Object> noTemplate = new LinkedHashMap<>(settings(Map.of()));
    noTemplate.remove("template");
    assertThatThrownBy(() -> SsmDeployer.fromRef(new ProviderRef("ssm", noTemplate)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'template.type'");
  }

  @Test
  void theRegistryKnowsTheSsmDeployer() {
    assertThat(StandardProviders.registry().deployerTypes()).contains(SsmDeployer.TYPE);
  }

  private static void assertRefused(Map<String, Object> setting, String message) {
    assertThatThrownBy(() -> SsmDeployer.fromRef(new ProviderRef("ssm", settings(setting))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("ssm deployer")
        .hasMessageContaining(message);
  }

  /** A custom template of one deploy command. */
  private static Map<String, Object> custom(List<String> deploy) {
    return Map.of(
        "type", "custom", "deploy", List.of(deploy), "currentVersion", List.of("cat", "/dev/null"));
  }

  /**
   * Deploys 1.2.0 with {@code deploy} as the one command, the state in {@code state}, for {@code
   * requestId}, and returns the command line sent to the instance.
   */
  private static String sentScript(Path state, List<String> deploy, String requestId) {
    Map<String, Object> settings = Map.of("stateDir", state.toString(), "template", custom(deploy));
    try (SsmDeployer deployer = deployer(settings)) {
      DeployResult result = deployer.deploy(target(), "1.2.0", requestId, b -> {});
      assertThat(result.ok()).as(result.detail()).isTrue();
    }
    return last().parameters().get("commands").get(0);
  }

  record Run(int exit, String output) {}

  /** Runs {@code commandLine} with {@code sh}, as AWS-RunShellScript runs its commands. */
  private static Run runLikeRunShellScript(String commandLine) throws Exception {
    Process process =
        new ProcessBuilder("sh", "-c", commandLine)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), output);
  }

  private static SsmDeployer deployer(Map<String, Object> extra) {
    return SsmDeployer.fromRef(new ProviderRef("ssm", settings(extra)));
  }

  private static Map<String, Object> settings(Map<String, Object> extra) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("region", MotoServer.REGION);
    settings.put("endpoint", moto.endpoint().toString());
    settings.put("stateDir", dir.resolve("state").toString());
    settings.put("template", custom(List.of("true")));
    settings.putAll(extra);
    return settings;
  }

  private static Target target() {
    return new Target(instanceId, "10.0.0.5", 8080, null);
  }

  private static List<Command> sent() {
    return ssm.listCommands(r -> r.instanceId(instanceId)).commands();
  }

  private static Command last() {
    List<Command> sent = sent();
    return sent.get(sent.size() - 1);
  }
}
