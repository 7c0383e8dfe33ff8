package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SecretScan;
import dev.sluice.testkit.SluiceClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canaries end to end: REST → Temporal → worker → HAProxy weights and four sample-app processes,
 * with 120 requests/s through HAProxy: a canary whose analysis passes and which is promoted by
 * hand, an aborted canary, a bad canary that the sequential judge fails and rolls back on its own,
 * and a canary whose metrics never arrive, which pauses for a person instead of promoting.
 */
class CanaryDeploymentIT {

  @TempDir static Path dir;
  static LocalStack stack;
  static SluiceClient api;

  /**
   * Long enough for HAProxy's mean response time (a value metric: one figure per interval, judged
   * by a sign test) to reach its 5 intervals; the error ratio has its 100 requests per group after
   * two.
   */
  static final Map<String, Object> ANALYSIS =
      Map.of("analysis", Map.of("duration", "16s", "interval", "2s"));

  @BeforeAll
  static void startStack() throws Exception {
    LocalStack.Options defaults =
        LocalStack.Options.defaults(dir, Path.of(System.getProperty("sluice.sampleAppJar")));
    stack =
        LocalStack.start(
            defaults.withBehavior(Map.of("4.0.0.errorRate", "0.5")),
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

  String canary(String version, List<Map<String, Object>> steps) {
    return api.startCanary("checkout", version, steps);
  }

  @Test
  void canariesArePromotedOrAbortedWithoutLosingARequestAndABadOneIsRolledBack() throws Exception {
    String v21;
    String bad;
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      // --- a canary promoted by hand after its analysis --------------------------------------
      String v2 =
          canary("2.0.0", List.of(Map.of("setWeight", 25), ANALYSIS, Map.of("pause", Map.of())));
      JsonNode waiting =
          api.awaitDeployment(
              v2,
              Duration.ofMinutes(2),
              // The wait is recorded as it begins, a moment after the step's phase.
              d ->
                  d.path("phase").asText().equals("WAITING")
                      && d.path("batch").path("current").asInt() == 3
                      && d.path("waiting").has("endsOn"));
      assertThat(waiting.path("targets").get(0).path("version").asText()).isEqualTo("2.0.0");
      assertThat(waiting.path("waiting").path("endsOn").asText())
          .as("a pause {} says it waits for a promote")
          .isEqualTo("promote");
      assertThat(waiting.path("waiting").path("since").asText()).isNotEmpty();
      assertThat(waiting.path("trafficWeight").asInt()).isEqualTo(25);
      assertThat(load.snapshot().byVersion()).containsKey("2.0.0");
      // The evidence behind the pass: per metric, each interval's canary and baseline readings.
      JsonNode run = api.get("/api/v1/deployments/" + v2 + "/analysis").expect(200).body();
      assertThat(run.path("runs")).hasSize(1);
      JsonNode errors = run.path("runs").get(0).path("metrics").get(0);
      assertThat(errors.path("name").asText()).isEqualTo("errors");
      assertThat(errors.path("measure").asText()).isEqualTo("rate");
      assertThat(errors.path("verdict").asText()).isEqualTo("PASS");
      String verdict =
          waiting.path("events").findValuesAsText("message").stream()
              .filter(m -> m.matches("PASS after \\d+ checks.*"))
              .findFirst()
              .orElseThrow();
      int checks = Integer.parseInt(verdict.replaceAll("PASS after (\\d+) checks.*", "$1"));
      assertThat(errors.path("points").size())
          .as("one point per check: " + verdict)
          .isEqualTo(checks);
      assertThat(checks).as("a 16 s analysis of 2 s intervals").isGreaterThanOrEqualTo(7);
      assertThat(errors.path("points").findValues("canary")).allMatch(v -> v.asDouble() == 0.0);
      assertThat(errors.path("points").findValues("baseline")).isNotEmpty();
      assertThat(errors.path("threshold").asDouble()).isPositive();
      // The analysis ran to its planned end: the judge's one look at the totals is on the last
      // interval. Neither group had an error (no request was lost), so the look saw nothing and
      // no error rate could have been told apart: detectable is left out, as the reason says.
      assertThat(run.path("runs").get(0).path("concluded").asBoolean()).isTrue();
      assertThat(errors.path("finalPValue").asDouble()).isEqualTo(1.0);
      assertThat(errors.path("finalThreshold").asDouble()).isPositive();
      assertThat(errors.has("detectable")).isFalse();
      assertThat(errors.path("details").asText())
          .startsWith("not enough evidence of a regression")
          .contains("too little data to detect any regression");
      assertThat(verdict).contains("too little data to detect any regression");
      api.post("/api/v1/deployments/" + v2 + "/promote", Map.of("reason", "analysis passed"))
          .expect(202);
      // The stable servers' promotion (a child workflow) shows its steps as they happen...
      JsonNode promoting =
          api.awaitDeployment(
              v2,
              Duration.ofMinutes(2),
              d -> d.path("events").findValuesAsText("type").contains("promotion.target.upgraded"));
      assertThat(promoting.path("state").asText()).isEqualTo("RUNNING");
      assertThat(promoting.path("phase").asText()).isEqualTo("PROMOTING");
      // ...and a pause of the deployment, which pauses the child, shows as a paused deployment.
      api.post("/api/v1/deployments/" + v2 + "/pause", Map.of("reason", "look at the graphs"))
          .expect(202);
      JsonNode pausedPromotion =
          api.awaitDeployment(
              v2, Duration.ofMinutes(1), d -> d.path("state").asText().equals("PAUSED"));
      Map<String, String> shown = new TreeMap<>();
      pausedPromotion
          .path("targets")
          .forEach(t -> shown.put(t.path("id").asText(), t.path("version").asText()));
      assertThat(shown)
          .as("the ledger's targets are what the fleet runs, mid-promotion")
          .isEqualTo(new TreeMap<>(stack.versions()));
      assertThat(shown.values()).contains("1.0.0", "2.0.0");
      api.post("/api/v1/deployments/" + v2 + "/resume", Map.of()).expect(202);
      JsonNode promoted = api.awaitFinal(v2, Duration.ofMinutes(3), e -> {});

      assertThat(promoted.path("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(
              api.post("/api/v1/deployments/" + v2 + "/retry", Map.of())
                  .expect(409)
                  .body()
                  .path("message")
                  .asText())
          .as("a retry of a deployment that succeeded says so")
          .startsWith("retry: deployment succeeded");
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(load.snapshot().failed()).as("failures: %s", load.snapshot().failures()).isZero();

      // --- a canary aborted at its pause: all traffic back on 2.0.0 -------------------------
      v21 = canary("2.1.0", List.of(Map.of("setWeight", 50), Map.of("pause", Map.of())));
      api.awaitDeployment(
          v21, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));
      api.post("/api/v1/deployments/" + v21 + "/abort", Map.of("reason", "changed our mind"))
          .expect(202);
      JsonNode aborted = api.awaitFinal(v21, Duration.ofMinutes(2), e -> {});
      LoadGenerator.Report afterAbort = load.snapshot();

      assertThat(aborted.path("state").asText()).isEqualTo("ABORTED");
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(afterAbort.failed()).as("failures: %s", afterAbort.failures()).isZero();
      assertThat(afterAbort.byVersion()).containsKey("2.1.0");
      assertThat(afterAbort.rate()).isGreaterThanOrEqualTo(100);
    }

    // --- a bad canary: its errors fail the analysis and it is rolled back -------------------
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      bad = canary("4.0.0", List.of(Map.of("setWeight", 25), ANALYSIS, Map.of("setWeight", 100)));
      JsonNode rolledBack = api.awaitFinal(bad, Duration.ofMinutes(2), e -> {});
      long failedWhileCanary = load.snapshot().failed();

      assertThat(rolledBack.path("state").asText()).isEqualTo("ROLLED_BACK");
      assertThat(rolledBack.path("reason").asText())
          .contains("analysis failed")
          .contains("errors FAIL");
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(failedWhileCanary).as("the canary's own errors reached some users").isPositive();
      // After the rollback, nobody sees the bad version any more.
      try (LoadGenerator after = new LoadGenerator(stack.frontend(), 120).start()) {
        api.awaitDeployment(bad, Duration.ofSeconds(30), d -> after.snapshot().sent() >= 240);
        LoadGenerator.Report clean = after.stop();
        assertThat(clean.failed()).isZero();
        assertThat(clean.byVersion()).containsOnlyKeys("2.0.0");
      }
    }

    // --- a retry of the aborted 2.1.0 after a later deployment: refused, fleet and history true
    JsonNode stale = api.post("/api/v1/deployments/" + v21 + "/retry", Map.of()).expect(409).body();
    assertThat(stale.path("message").asText()).contains(bad).contains("began after this one");
    assertThat(api.get("/api/v1/deployments/" + v21).expect(200).body().path("state").asText())
        .isEqualTo("ABORTED");
    JsonNode history = api.get("/api/v1/services/checkout/history").expect(200).body();
    Map<String, String> recorded = new TreeMap<>();
    history
        .path("targets")
        .properties()
        .forEach(f -> recorded.put(f.getKey(), f.getValue().asText()));
    assertThat(recorded)
        .as("the history's per-target versions are what the fleet runs")
        .isEqualTo(new TreeMap<>(stack.versions()));

    // --- metrics that never arrive: the canary pauses for a person, never promotes ----------
    Map<String, Object> noData = new HashMap<>(stack.serviceDefinition());
    // A metrics outage: Prometheus' address answers nothing, so every fetch is "no data". Its
    // token is a secret in a file: read by the provider, stored and logged nowhere.
    String token = "prom-" + UUID.randomUUID();
    Path tokenFile = Files.writeString(dir.resolve("prometheus-token"), token + "\n");
    noData.put(
        "analysis",
        Map.of(
            "provider",
            Map.of(
                "type",
                "prometheus",
                "settings",
                Map.of(
                    "url",
                    "http://127.0.0.1:9",
                    "bearerTokenFile",
                    tokenFile.toString(),
                    "timeout",
                    "1s",
                    "queries",
                    Map.of(
                        "errors",
                        Map.of(
                            "events",
                                "sum(increase(http_requests_total{code=~\"5..\"}[{{window}}]))",
                            "total", "sum(increase(http_requests_total[{{window}}]))")))),
            "metrics",
            List.of(Map.of("name", "errors", "type", "ratio"))));
    api.put("/api/v1/services/checkout", noData).expect(200);
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      String blind =
          canary(
              "2.2.0",
              List.of(
                  Map.of("setWeight", 25),
                  Map.of(
                      "analysis", Map.of("duration", "1m", "interval", "1s", "maxInconclusive", 3)),
                  Map.of("setWeight", 100)));
      JsonNode paused =
          api.awaitDeployment(
              blind,
              Duration.ofMinutes(1),
              d ->
                  d.path("events")
                      .findValuesAsText("type")
                      .contains("deployment.paused-for-a-person"));
      assertThat(paused.path("state").asText()).isEqualTo("PAUSED");
      assertThat(paused.path("events").findValuesAsText("message"))
          .anySatisfy(m -> assertThat(m).contains("analysis inconclusive").contains("errors"));
      assertThat(stack.versions()).containsEntry("t1", "2.2.0");
      assertThat(stack.versions().values()).containsOnlyOnce("2.2.0");

      api.post("/api/v1/deployments/" + blind + "/abort", Map.of("reason", "no metrics"))
          .expect(202);
      JsonNode aborted = api.awaitFinal(blind, Duration.ofMinutes(2), e -> {});
      assertThat(aborted.path("state").asText()).isEqualTo("ABORTED");
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(load.stop().failed()).isZero();
      SecretScan.Sources everywhere = SecretScan.Sources.of(stack);
      SecretScan.assertNoneOf(List.of(token), blind, everywhere);
      // The scan finds what is there: the provider's URL, a plain setting, is in the service's
      // snapshot in the workflow's input and in the ledger.
      assertThatThrownBy(
              () -> SecretScan.assertNoneOf(List.of("http://127.0.0.1:9"), blind, everywhere))
          .hasMessageContaining("workflow " + blind)
          .hasMessageContaining("ledger ");
    } finally {
      api.put("/api/v1/services/checkout", stack.serviceDefinition()).expect(200);
    }
  }
}
