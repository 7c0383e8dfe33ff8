package dev.sluice.api.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.testkit.SluiceCommand;
import dev.sluice.testkit.SluiceCommand.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sluice} command line as CI and an operator use it: the real jar ({@code java -jar
 * sluice.jar deploy …}) against a running stack (Sluice, Temporal, HAProxy, four sample-app
 * processes). {@code deploy --wait} ends with the outcome's exit code (0 success, 2 rollback, 4
 * waiting for a person), {@code get deployment --watch} runs in a real terminal (a tmux pane) and
 * redraws the canary there until a {@code promote} from another shell ends it, and an API error is
 * one line with exit 1.
 */
class CliIT {

  @TempDir static Path dir;
  static LocalStack stack;
  static SluiceClient api;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startStack() throws Exception {
    LocalStack.Options defaults =
        LocalStack.Options.defaults(dir, Path.of(System.getProperty("sluice.sampleAppJar")));
    stack =
        LocalStack.start(
            defaults.withBehavior(Map.of("3.0.0.healthy", "false")),
            SluiceApplication::startServer);
    api = stack.client();
    api.put("/api/v1/services/checkout", stack.serviceDefinition()).expect(201);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  static List<String> command(String... args) {
    return cli().line(args);
  }

  static String url() {
    return "http://127.0.0.1:" + stack.apiPort();
  }

  static SluiceCommand cli() {
    return new SluiceCommand(Path.of(System.getProperty("sluice.jar")), url(), dir.resolve("cli"));
  }

  static Run sluice(String... args) throws IOException, InterruptedException {
    return cli().run(args);
  }

  @Test
  void deployWaitsAndExitsWithTheOutcomeAndAnErrorIsOneLine() throws Exception {
    Run good = sluice("deploy", "checkout", "2.0.0", "--wait", "--interval", "500ms");
    assertThat(good.code()).as(good.err()).isZero();
    String id = good.out().get(0);
    assertThat(id).startsWith("dep-");
    assertThat(good.err()).contains(id + " succeeded");
    assertThat(api.get("/api/v1/deployments/" + id).expect(200).body().path("state").asText())
        .isEqualTo("SUCCEEDED");

    Run bad = sluice("deploy", "checkout", "3.0.0", "--wait", "--set", "rollbackOnFailure=true");
    assertThat(bad.code()).as("a rolled-back deployment: " + bad.err()).isEqualTo(2);
    String badId = bad.out().get(0);
    assertThat(api.get("/api/v1/deployments/" + badId).expect(200).body().path("state").asText())
        .isIn("ROLLED_BACK", "FAILED");

    Run history = sluice("history", "checkout", "-o", "json");
    assertThat(history.code()).isZero();
    assertThat(JSON.readTree(String.join("\n", history.out())).path("current").asText())
        .isEqualTo("2.0.0");

    Run unknown = sluice("deploy", "nosuch", "1.0.0");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err().strip())
        .as("one line")
        .doesNotContain("\n")
        .startsWith("error: 422 ")
        .contains("unknown service \"nosuch\"");
  }

  @Test
  void aWatchedCanaryRedrawsInATerminalUntilAPromoteEndsIt() throws Exception {
    String stable =
        api.get("/api/v1/services/checkout/history").expect(200).body().path("current").asText();
    Run paused =
        sluice(
            "deploy",
            "checkout",
            "2.1.0",
            "--strategy",
            "canary",
            "--set",
            "canary.steps=[{\"setWeight\":25},{\"pause\":{}}]",
            "--wait",
            "--interval",
            "500ms");
    assertThat(paused.code()).as("a canary waiting for a person: " + paused.err()).isEqualTo(4);
    String id = paused.out().get(0);
    assertThat(sluice("list", "--state", "RUNNING").out()).anyMatch(line -> line.contains(id));

    String socket = "sluice-cli-" + ProcessHandle.current().pid();
    Path exit = dir.resolve("watch.exit");
    String watch =
        String.join(" ", quoted(command("get", "deployment", id, "--watch", "--interval", "500ms")))
            + "; echo $? > "
            + exit
            + "; exec cat";
    tmux(
        socket,
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-e",
        "SLUICE_URL=" + url(),
        "-e",
        "LANG=C.UTF-8",
        watch);
    try {
      String waiting = screenWhen(socket, s -> s.contains("25% to 2.1.0"));
      assertThat(waiting)
          .contains("Deployment: " + id)
          .contains("॥ RUNNING")
          .contains("Versions:   stable " + stable + "  canary 2.1.0")
          .contains("Targets (4)");

      Run promote = sluice("promote", id, "--full");
      assertThat(promote.code()).as(promote.err()).isZero();
      assertThat(promote.out().get(0)).startsWith("promote " + id + ": accepted");

      String done = screenWhen(socket, s -> s.contains("✔ SUCCEEDED"));
      assertThat(done).contains("Deployment: " + id);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(exit) && !Files.readString(exit).isBlank());
      assertThat(Files.readString(exit).strip()).as("--watch ends with the outcome").isEqualTo("0");
      Files.writeString(dir.resolve("watch-screen.txt"), done);
    } finally {
      tmux(socket, "kill-server");
    }
  }

  /** docs/examples/ci-deploy.sh, the shell example of docs/ci.md, run as a CI job runs it. */
  @Test
  void theCiShellExampleFailsTheJobOnARollback() throws Exception {
    Path script =
        Path.of(System.getProperty("sluice.home", "..")).resolve("docs/examples/ci-deploy.sh");
    Run good = ciJob(script, "2.2.0");
    assertThat(good.code()).as(good.err()).isZero();
    assertThat(good.out()).anyMatch(l -> l.startsWith("deployed checkout 2.2.0 (dep-"));
    Run bad = ciJob(script, "3.0.0");
    assertThat(bad.code()).as(bad.err()).isEqualTo(2);
    assertThat(bad.err()).contains("::error::checkout 3.0.0 did not succeed").contains("Status:");
  }

  private static Run ciJob(Path script, String version) throws IOException, InterruptedException {
    return cli()
        .run(
            List.of("bash", script.toAbsolutePath().toString(), "checkout", version),
            Map.of("SLUICE", String.join(" ", command()), "CI_PIPELINE_ID", "it-" + version),
            Files.createTempDirectory(dir, "job"),
            "ci-deploy.sh " + version);
  }

  @Test
  void flagsAreListedRolledOutAndKilledFromTheCommandLine() throws Exception {
    api.post(
            "/api/v1/flags",
            Map.of(
                "key",
                "new-checkout",
                "type",
                "release",
                "owner",
                "payments",
                "definition",
                Map.of(
                    "state", "ENABLED",
                    "variants", Map.of("on", true, "off", false),
                    "defaultVariant", "off")))
        .expect(201);
    Run list = sluice("flags", "list");
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).anyMatch(l -> l.startsWith("new-checkout") && l.contains("ENABLED"));

    Run rollout =
        sluice("flags", "rollout", "new-checkout", "on", "--percent", "25", "--reason", "cli");
    assertThat(rollout.code()).as(rollout.err()).isZero();
    JsonNode rolled = api.get("/api/v1/flags/new-checkout").expect(200).body();
    assertThat(rolled.path("definition").toString()).contains("\"fractional\"").contains("25");

    Run kill = sluice("flags", "kill", "new-checkout", "--reason", "incident");
    assertThat(kill.code()).as(kill.err()).isZero();
    assertThat(
            api.get("/api/v1/flags/new-checkout")
                .expect(200)
                .body()
                .path("definition")
                .path("state")
                .asText())
        .isEqualTo("DISABLED");

    Run unknown = sluice("flags", "get", "no-such-flag");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).startsWith("error: 404");
    Run noRelease = sluice("releases", "get", "rel-no-such");
    assertThat(noRelease.code()).isEqualTo(1);
    assertThat(noRelease.err()).startsWith("error: 404");
  }

  /** A recorded error-rate series: the canary at {@code canaryErrors} per 1,000 requests. */
  private static Path series(String name, int canaryErrors) throws IOException {
    List<Map<String, Object>> intervals = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      intervals.add(
          Map.of(
              "baseline", Map.of("events", 9, "total", 9000),
              "canary", Map.of("events", canaryErrors, "total", 1000)));
    }
    Map<String, Object> body =
        Map.of(
            "metrics",
            List.of(
                Map.of(
                    "name", "errors", "type", "ratio", "critical", true, "intervals", intervals)));
    return Files.writeString(dir.resolve(name), JSON.writeValueAsString(body));
  }

  @Test
  void judgeReplaysRecordedSeriesOnTheServerOrOfflineAndExitsWithTheVerdict() throws Exception {
    Path bad = series("bad.json", 10);
    Path good = series("good.json", 1);

    Run failed = sluice("judge", bad.toString());
    assertThat(failed.code()).as(failed.err()).isEqualTo(2);
    assertThat(failed.out().get(0)).startsWith("FAIL at interval ");
    assertThat(failed.out()).anyMatch(l -> l.startsWith("errors") && l.contains("FAIL"));

    Run passed = sluice("judge", good.toString(), "-o", "json");
    assertThat(passed.code()).as(passed.err()).isZero();
    assertThat(JSON.readTree(String.join("\n", passed.out())).path("verdict").asText())
        .isEqualTo("PASS");

    // Offline: the same judge in the CLI's process, with no server to ask.
    Run offline =
        cli()
            .run(
                command("judge", bad.toString(), "--offline", "-o", "json"),
                Map.of("SLUICE_URL", "http://127.0.0.1:1"),
                null,
                "sluice judge --offline");
    assertThat(offline.code()).as(offline.err()).isEqualTo(2);
    assertThat(JSON.readTree(String.join("\n", offline.out())))
        .isEqualTo(
            JSON.readTree(String.join("\n", sluice("judge", bad.toString(), "-o", "json").out())));

    Path unknown =
        Files.writeString(dir.resolve("unknown.json"), "{\"metrics\": [], \"alhpa\": 0.01}");
    for (Run refused :
        List.of(
            sluice("judge", unknown.toString()),
            sluice("judge", unknown.toString(), "--offline"))) {
      assertThat(refused.code()).isEqualTo(1);
      assertThat(refused.err()).startsWith("error: 400").contains("alhpa");
    }
  }

  private static List<String> quoted(List<String> words) {
    return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList();
  }

  /** The pane's screen once {@code ready} holds (at most two minutes). */
  private static String screenWhen(String socket, Predicate<String> ready) {
    String[] last = {""};
    try {
      Awaitility.await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                last[0] = tmux(socket, "capture-pane", "-p", "-t", "0");
                return ready.test(last[0]);
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "the watched screen never showed what was expected; it shows:\n" + last[0], e);
    }
    return last[0];
  }

  private static String tmux(String socket, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("tmux", "-u", "-L", socket));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "tmux is missing: scripts/install-tools installs it (apt-get install tmux)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("tmux " + String.join(" ", args) + " hung");
    }
    if (process.exitValue() != 0 && !args[0].equals("kill-server")) {
      throw new AssertionError("tmux " + String.join(" ", args) + " failed: " + output);
    }
    return output;
  }
}
