package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blue-green end to end: two pools behind HAProxy (a map picks the live backend), 120 requests/s
 * through it: a switch, a rollback in the rollback window, and a failed warm-up that switches back
 * — none losing a request.
 */
class BlueGreenDeploymentIT {

  @TempDir static Path dir;
  static LocalStack stack;
  static SluiceClient api;

  @BeforeAll
  static void startStack() throws Exception {
    stack =
        LocalStack.start(
            LocalStack.Options.defaults(dir, Path.of(System.getProperty("sluice.sampleAppJar")))
                .withPools()
                .withBehavior(Map.of("4.0.0.latencyMs", "700")),
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

  String blueGreen(String version, Map<String, Object> options) {
    return api.post(
            "/api/v1/deployments",
            Map.of(
                "service",
                "checkout",
                "version",
                version,
                "strategy",
                "blue-green",
                "blueGreen",
                options))
        .expect(202)
        .body()
        .path("id")
        .asText();
  }

  @Test
  void switchesAndSwitchBacksLoseNoRequest() {
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      // --- blue (1.0.0) live; 2.0.0 goes to green, is smoke-tested, takes all traffic ---------
      String v2 = blueGreen("2.0.0", Map.of("warmUp", "4s", "rollbackWindow", "2s"));
      JsonNode done =
          api.awaitFinal(
              v2,
              Duration.ofMinutes(2),
              e -> System.out.println(e.path("at").asText() + " " + e.path("message").asText()));

      assertThat(done.path("state").asText())
          .as(
              "%s; failures seen by the load: %s",
              done.path("reason").asText(), load.snapshot().failures())
          .isEqualTo("SUCCEEDED");
      assertThat(stack.haproxy().runtimeApi().showMap(stack.haproxy().poolMapFile().toString()))
          .containsValue(stack.haproxy().poolBackends().get("green"));
      assertThat(stack.versions())
          .containsEntry("t1", "1.0.0")
          .containsEntry("t2", "1.0.0")
          .containsEntry("t3", "2.0.0")
          .containsEntry("t4", "2.0.0");
      assertThat(load.snapshot().failed()).as("failures: %s", load.snapshot().failures()).isZero();
      assertThat(api.get("/api/v1/services/checkout/history").body().path("current").asText())
          .isEqualTo("2.0.0");

      // --- 2.1.0 goes to blue; in the rollback window, a service rollback switches back -----
      String v21 = blueGreen("2.1.0", Map.of("warmUp", "2s", "rollbackWindow", "10m"));
      api.awaitDeployment(
          v21, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));
      JsonNode rollback =
          api.post("/api/v1/services/checkout/rollback", Map.of("reason", "support tickets"))
              .expect(202)
              .body();
      assertThat(rollback.path("action").asText()).isEqualTo("switch-back");
      JsonNode switchedBack =
          api.awaitFinal(
              v21,
              Duration.ofMinutes(1),
              e -> System.out.println(e.path("at").asText() + " " + e.path("message").asText()));
      assertThat(switchedBack.path("state").asText())
          .as(switchedBack.path("reason").asText())
          .isEqualTo("ABORTED");

      // --- 4.0.0 answers in 700 ms: its warm-up fails and traffic goes back to green ----------
      String slow = blueGreen("4.0.0", Map.of("warmUp", "4s", "rollbackWindow", "1m"));
      JsonNode rolledBack =
          api.awaitFinal(
              slow,
              Duration.ofMinutes(2),
              e -> System.out.println(e.path("at").asText() + " " + e.path("message").asText()));
      assertThat(rolledBack.path("state").asText())
          .as(rolledBack.path("reason").asText())
          .isEqualTo("ROLLED_BACK");
      assertThat(rolledBack.path("reason").asText()).contains("warm-up failed");

      LoadGenerator.Report report = load.stop();
      assertThat(report.failed()).as("failures: %s", report.failures()).isZero();
      assertThat(report.rate()).isGreaterThanOrEqualTo(100);
    }
    // Afterwards every request is answered by green's 2.0.0.
    try (LoadGenerator after = new LoadGenerator(stack.frontend(), 120).start()) {
      api.awaitDeployment(
          api.get("/api/v1/deployments?service=checkout&limit=1")
              .body()
              .path("deployments")
              .get(0)
              .path("id")
              .asText(),
          Duration.ofSeconds(30),
          d -> after.snapshot().sent() >= 240);
      LoadGenerator.Report clean = after.stop();
      assertThat(clean.failed()).isZero();
      assertThat(clean.byVersion()).containsOnlyKeys("2.0.0");
    }
    assertThat(api.get("/api/v1/services/checkout/history").body().path("current").asText())
        .isEqualTo("2.0.0");
  }
}
