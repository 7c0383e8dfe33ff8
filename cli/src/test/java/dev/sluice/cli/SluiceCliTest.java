package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CLI's own logic: the command line as parsed, {@code --set}, outcomes and exit codes, and a
 * deployment's screen. Against a server it runs in {@code CliIT} (the real jar, a real stack).
 */
class SluiceCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Run(int code, String out, String err) {}

  static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SluiceCli.run(args, null, new PrintWriter(out), new PrintWriter(err), env);
    return new Run(code, out.toString(), err.toString());
  }

  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void anUnreachableServerIsOneLineAndExitOneWhereverUrlIsGiven() throws IOException {
    String url = "http://127.0.0.1:" + closedPort();
    for (Run run :
        List.of(
            run(Map.of(), "--url", url, "list"),
            run(Map.of(), "list", "--url", url),
            run(Map.of("SLUICE_URL", url), "promote", "dep-1"))) {
      assertThat(run.code()).isEqualTo(1);
      assertThat(run.err().strip())
          .isEqualTo(
              "error: cannot reach Sluice at "
                  + url
                  + " (connection refused): is the server running? set SLUICE_URL or --url");
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void aCommandLineThatDoesNotParseExitsSixtyFourAndSendsNothing() throws IOException {
    String url = "http://127.0.0.1:" + closedPort();
    Run noVersion = run(Map.of(), "deploy", "checkout", "--url", url);
    assertThat(noVersion.code()).isEqualTo(64);
    assertThat(noVersion.err()).contains("Missing required parameter: 'VERSION'");
    Run timeoutAlone =
        run(Map.of(), "deploy", "checkout", "2.0.0", "--timeout", "5m", "--url", url);
    assertThat(timeoutAlone.code()).isEqualTo(64);
    assertThat(timeoutAlone.err()).contains("--timeout and --success-on-pause go with --wait");
    Run badDuration = run(Map.of(), "deploy", "checkout", "2.0.0", "--wait", "--timeout", "soon");
    assertThat(badDuration.code()).isEqualTo(64);
    assertThat(badDuration.err()).contains("'soon' is not a duration");
    Run badSet = run(Map.of(), "deploy", "checkout", "2.0.0", "--set", "version=3", "--url", url);
    assertThat(badSet.code()).isEqualTo(64);
    assertThat(badSet.err()).contains("--set version: give it as an argument or --version");
    Run noFile = run(Map.of(), "releases", "start", "/nonexistent/release.yaml", "--url", url);
    assertThat(noFile.code()).isEqualTo(64);
    assertThat(noFile.err()).contains("/nonexistent/release.yaml");
    Run flagBoth =
        run(
            Map.of(),
            "flags",
            "rollout",
            "f",
            "on",
            "--percent",
            "5",
            "--stages",
            "5,100",
            "--url",
            url);
    assertThat(flagBoth.code()).isEqualTo(64);
    Run badOutput = run(Map.of(), "list", "-o", "xml", "--url", url);
    assertThat(badOutput.code()).isEqualTo(64);
    // None of them reached the (closed) server: that would have been exit 1.
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : List.of("deploy", "promote", "list", "history")) {
      Run help = run(Map.of(), command, "--help");
      assertThat(help.code()).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: sluice " + command);
    }
    for (String flags : List.of("kill", "enable", "rollout")) {
      Run help = run(Map.of(), "flags", flags, "--help");
      assertThat(help.code()).as(flags).isZero();
      assertThat(help.out()).as(flags).contains("Usage: sluice flags " + flags);
    }
    Run get = run(Map.of(), "get", "deployment", "--help");
    assertThat(get.code()).isZero();
    assertThat(get.out()).contains("Usage: sluice get deployment").contains("--watch");
  }

  @Test
  void listsPrintOneRowPerEntryAndSayWhatIsMissing() throws IOException {
    JsonNode releases =
        view(
            "{\"releases\":[{\"id\":\"rel-000000000001\",\"state\":\"RUNNING\",\"stage\":null,"
                + "\"migration\":\"add_email on app\",\"deployment\":\"dep-1 checkout 2.0.0\","
                + "\"startedAt\":\"2026-12-02T17:08:24Z\",\"startedBy\":\"alice\"},"
                + "{\"id\":\"rel-000000000000\",\"state\":\"COMPLETED\",\"stage\":\"ROLLED_BACK\","
                + "\"flagRollout\":\"new-checkout on\",\"startedAt\":\"2026-12-01T09:00:00Z\","
                + "\"startedBy\":\"ci\"}]}");
    assertThat(new StatusCommands.Releases().table(releases))
        .containsExactly(
            "ID                STATE      STAGE        STAGES"
                + "                                                        STARTED               BY",
            "rel-000000000001  RUNNING    -            migration add_email on app → deployment dep-1"
                + " checkout 2.0.0  2026-12-02T17:08:24Z  alice",
            "rel-000000000000  COMPLETED  ROLLED_BACK  flagRollout new-checkout on"
                + "                                   2026-12-01T09:00:00Z  ci");

    JsonNode migrations =
        view(
            "{\"migrations\":[{\"datasource\":\"app\",\"answer\":\"status\",\"status\":{"
                + "\"name\":\"add_email\",\"datasource\":\"app\",\"phase\":\"BACKFILLING\","
                + "\"rowsBackfilled\":1200,\"reason\":null,\"events\":[]}},"
                + "{\"datasource\":\"spare\",\"answer\":\"none\",\"status\":null,"
                + "\"message\":\"no migration has run on spare\"}]}");
    assertThat(new StatusCommands.Migrations().table(migrations))
        .containsExactly(
            "DATASOURCE  MIGRATION  PHASE        ROWS  REASON",
            "app         add_email  BACKFILLING  1200  -",
            "spare       -          none         -     no migration has run on spare");
    assertThat(new StatusCommands.Migrations().listPath(20)).isEqualTo("/api/v1/migrations");

    JsonNode dualWrites =
        view(
            "{\"dualWrites\":[{\"name\":\"orders\",\"flagKey\":\"orders-store\","
                + "\"startedAt\":\"2026-12-02T17:08:24Z\",\"answer\":\"unanswered\",\"status\":null}]}");
    assertThat(new StatusCommands.DualWrites().table(dualWrites))
        .containsExactly(
            "NAME    FLAG          STATE       PHASE  COMPARED  MISMATCHES  STARTED",
            "orders  orders-store  unanswered  -      -         -           2026-12-02T17:08:24Z");
    assertThat(new StatusCommands.DualWrites().listPath(5))
        .isEqualTo("/api/v1/dual-writes?limit=5");
    assertThat(new StatusCommands.Releases().table(view("{\"releases\":[]}")))
        .containsExactly("no releases");
  }

  @Test
  void everyListHasHelpAndAnUnreachableServerIsOneLine() throws IOException {
    String url = "http://127.0.0.1:" + closedPort();
    for (String of : List.of("releases", "migrations", "dual-writes")) {
      Run help = run(Map.of(), of, "list", "--help");
      assertThat(help.code()).as(of).isZero();
      assertThat(help.out()).as(of).contains("Usage: sluice " + of + " list").contains("--limit");
      Run unreachable = run(Map.of(), of, "list", "-o", "json", "--url", url);
      assertThat(unreachable.code()).as(of).isEqualTo(1);
      assertThat(unreachable.err()).as(of).startsWith("error: cannot reach Sluice at " + url);
      assertThat(unreachable.out()).as(of).isEmpty();
    }
  }

  @Test
  void theServersCommandsAreNotTheClis() {
    assertThat(SluiceCli.handles("deploy")).isTrue();
    assertThat(SluiceCli.handles("promote")).isTrue();
    assertThat(SluiceCli.handles("get")).isTrue();
    assertThat(SluiceCli.handles("generate-completion")).isTrue();
    assertThat(SluiceCli.handles("server")).isFalse();
    assertThat(SluiceCli.handles("worker")).isFalse();
    assertThat(SluiceCli.handles("check")).isFalse();
    assertThat(SluiceCli.handles("judge")).as("judge is the CLI's, with --offline").isTrue();
  }

  @Test
  void settingsGoIntoTheBodyTypedAsJsonReadsThem() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    Settings.apply(
        body,
        List.of(
            "batchSize=2",
            "maxUnavailable=25%",
            "rollbackOnFailure=true",
            "canary.canaryCount=1",
            "canary.steps=[{\"setWeight\":25},{\"pause\":{}}]",
            "blueGreen.warmUp=5m",
            "autoRollback.thresholds=[]"));
    assertThat(body.toString())
        .isEqualTo(
            "{\"overrides\":{\"batchSize\":2,\"maxUnavailable\":\"25%\",\"rollbackOnFailure\":true},"
                + "\"canary\":{\"canaryCount\":1,\"steps\":[{\"setWeight\":25},{\"pause\":{}}]},"
                + "\"blueGreen\":{\"warmUp\":\"5m\"},\"autoRollback\":{\"thresholds\":[]}}");
    assertThatThrownBy(() -> Settings.apply(body, List.of("batchSize")))
        .hasMessageContaining("write KEY=VALUE");
    assertThatThrownBy(() -> Settings.apply(body, List.of("canary..x=1")))
        .hasMessageContaining("empty part");
    assertThatThrownBy(() -> Settings.apply(body, List.of("batchSize.x=1")))
        .hasMessageContaining("'batchSize' is already a value");
  }

  @Test
  void outcomesAreWhatCiJobsBranchOn() throws IOException {
    assertThat(Outcome.of(view("{\"state\":\"SUCCEEDED\"}"))).isEqualTo(Outcome.SUCCEEDED);
    for (String failed : List.of("ROLLED_BACK", "FAILED", "ABORTED")) {
      assertThat(Outcome.of(view("{\"state\":\"" + failed + "\"}")).exitCode).isEqualTo(2);
    }
    assertThat(Outcome.of(view("{\"state\":\"PAUSED\"}"))).isEqualTo(Outcome.PAUSED);
    assertThat(
            Outcome.of(
                view(
                    "{\"state\":\"RUNNING\",\"waiting\":{\"what\":\"pause\",\"endsOn\":\"promote\"}}")))
        .isEqualTo(Outcome.PAUSED);
    assertThat(
            Outcome.of(
                view(
                    "{\"state\":\"RUNNING\",\"waiting\":{\"what\":\"bake\",\"endsOn\":\"timer or promote\"}}")))
        .as("a timed wait ends by itself")
        .isNull();
    StringWriter err = new StringWriter();
    assertThat(Outcomes.report(new PrintWriter(err), "dep-1", Outcome.PAUSED, true)).isZero();
    assertThat(Outcomes.report(new PrintWriter(err), "dep-1", Outcome.PAUSED, false)).isEqualTo(4);
    assertThat(Outcomes.report(new PrintWriter(err), "dep-1", Outcome.TIMED_OUT, false))
        .isEqualTo(3);
  }

  @Test
  void aCanaryScreenShowsItsWeightVersionsWaitAndAtMostLimitTargets() throws IOException {
    JsonNode canary =
        view(
            """
            {"id":"dep-42","service":"checkout","version":"2.0.0","previousVersion":"1.0.0",
             "strategy":"canary","state":"RUNNING","phase":"WAITING","batch":{"current":3,"total":5},
             "trafficWeight":25,
             "actualWeight":{"percent":22.4,"at":"2026-12-04T12:04:00Z","canaryRequests":224,"baselineRequests":776},
             "waiting":{"what":"pause","since":"2026-12-04T12:00:00Z","until":"2026-12-04T12:10:00Z","endsOn":"timer or promote"},
             "targets":[
               {"id":"t1","previousVersion":"1.0.0","version":"2.0.0","state":"UPGRADED"},
               {"id":"t2","previousVersion":"1.0.0","version":"1.0.0","state":"PENDING"},
               {"id":"t3","previousVersion":"1.0.0","version":"1.0.0","state":"PENDING"},
               {"id":"t4","previousVersion":"1.0.0","version":"1.0.0","state":"PENDING"}],
             "events":[{"seq":1,"at":"2026-12-04T11:59:00Z","type":"canary.weight","message":"25%"}]}
            """);
    List<String> screen = DeploymentScreen.render(canary, 2, Instant.parse("2026-12-04T12:04:30Z"));
    String text = String.join("\n", screen);
    assertThat(screen.get(0)).isEqualTo("Deployment: dep-42  checkout");
    assertThat(screen.get(1)).isEqualTo("Status:     ◌ RUNNING · WAITING");
    assertThat(text).contains("Strategy:   canary  batch 3/5");
    assertThat(text).contains("Versions:   stable 1.0.0  canary 2.0.0");
    assertThat(text).contains("Weight:     [█████···············] 25% to 2.0.0 (set)");
    assertThat(text)
        .containsPattern(
            "\\n {12}\\[████▌?·+\\] 22\\.4% actual \\(224 of 1000 requests at \\d\\d:\\d\\d:\\d\\d\\)");
    assertThat(text).contains("Waiting:    pause, 5m30s left");
    assertThat(text).contains("ends on timer or promote");
    assertThat(text).contains("Targets (4)").contains("  t1  ").contains("  t2  ");
    assertThat(text).doesNotContain("  t3  ");
    assertThat(text).contains("… 2 more: PENDING 2");
    assertThat(text)
        .containsPattern(
            "All 4:\\n +all +4 targets +1\\.0\\.0 ×3, 2\\.0\\.0 ×1 +PENDING ×3, UPGRADED ×1");
    assertThat(text).contains("canary.weight  25%");
  }

  @Test
  void aFleetOfTwoHundredStaysOnOneScreenWithALinePerPool() throws IOException {
    StringBuilder targets = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      boolean green = i >= 100;
      String version = green && i < 190 ? "2.0.0" : "1.0.0";
      String state =
          !green ? "SUCCEEDED" : i < 190 ? "UPGRADED" : i == 190 ? "DEPLOYING" : "PENDING";
      targets
          .append(i == 0 ? "" : ",")
          .append("{\"id\":\"t")
          .append(i)
          .append("\",\"version\":\"")
          .append(version)
          .append("\",\"state\":\"")
          .append(state)
          .append("\",\"pool\":\"")
          .append(green ? "green" : "blue")
          .append("\"}");
    }
    JsonNode blueGreen =
        view(
            "{\"id\":\"dep-7\",\"service\":\"checkout\",\"version\":\"2.0.0\","
                + "\"previousVersion\":\"1.0.0\",\"strategy\":\"blue-green\","
                + "\"state\":\"RUNNING\",\"phase\":\"DEPLOYING\",\"targets\":["
                + targets
                + "]}");

    List<String> screen =
        DeploymentScreen.render(blueGreen, 5, Instant.parse("2026-12-04T12:00:00Z"));
    String text = String.join("\n", screen);

    assertThat(screen).hasSizeLessThan(30);
    assertThat(text).contains("Targets (200)").contains("… 195 more:").contains("All 200 by pool:");
    assertThat(text)
        .containsPattern("pool blue +100 targets +1\\.0\\.0 ×100 +SUCCEEDED ×100")
        .containsPattern(
            "pool green +100 targets +2\\.0\\.0 ×90, 1\\.0\\.0 ×10 +UPGRADED ×90, PENDING ×9,"
                + " DEPLOYING ×1");
  }

  @Test
  void aWatchedScreenCutsLinesToTheTerminalsWidth() {
    assertThat(TerminalWidth.of(Map.of("COLUMNS", "80"))).isEqualTo(80);
    assertThat(TerminalWidth.cut("x".repeat(100), 80)).hasSize(80).endsWith("…");
    assertThat(TerminalWidth.cut("short", 80)).isEqualTo("short");
  }

  @Test
  void statesHaveArgoRolloutsSymbols() throws IOException {
    assertThat(DeploymentScreen.symbol(view("{\"state\":\"SUCCEEDED\"}"))).isEqualTo("✔");
    assertThat(DeploymentScreen.symbol(view("{\"state\":\"ROLLED_BACK\"}"))).isEqualTo("✖");
    assertThat(DeploymentScreen.symbol(view("{\"state\":\"PAUSED\"}"))).isEqualTo("॥");
    assertThat(
            DeploymentScreen.symbol(
                view("{\"state\":\"RUNNING\",\"waiting\":{\"endsOn\":\"promote\"}}")))
        .isEqualTo("॥");
    assertThat(DeploymentScreen.symbol(view("{\"state\":\"ABORTED\"}"))).isEqualTo("⚠");
    assertThat(DeploymentScreen.symbol(view("{\"state\":\"PENDING\"}"))).isEqualTo("◷");
  }

  private static JsonNode view(String json) throws IOException {
    return JSON.readTree(json);
  }
}
