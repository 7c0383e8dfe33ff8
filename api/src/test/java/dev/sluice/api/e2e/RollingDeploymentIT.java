package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.ServerStats;
import dev.sluice.api.SluiceApplication;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on real parts: REST API → Temporal → worker → HAProxy and four sample-app processes,
 * with a load generator sending over 100 requests/s through HAProxy the whole time.
 */
class RollingDeploymentIT {

  @TempDir static Path dir;
  static LocalStack stack;
  static SluiceClient api;

  @BeforeAll
  static void startStack() throws Exception {
    Path jar = Path.of(System.getProperty("sluice.sampleAppJar"));
    stack =
        LocalStack.start(
            LocalStack.Options.defaults(dir, jar)
                .withBehavior(Map.of("3.0.0.healthy", "false", "4.0.0.errorRate", "0.3")),
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

  @Test
  void rollingDeploymentUnderLoadLosesNoRequestAndABadVersionIsRolledBack() throws Exception {
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      // --- v2: a good version, steered once with pause/resume over REST -----------------------
      String v2 =
          api.post("/api/v1/deployments", Map.of("service", "checkout", "version", "2.0.0"))
              .expect(202)
              .body()
              .path("id")
              .asText();

      JsonNode busy =
          api.post("/api/v1/deployments", Map.of("service", "checkout", "version", "2.0.1"))
              .expect(409)
              .body();
      assertThat(busy.path("details").path("deploymentId").asText()).isEqualTo(v2);

      api.awaitDeployment(
          v2, Duration.ofSeconds(60), d -> d.path("batch").path("current").asInt() >= 1);
      api.post("/api/v1/deployments/" + v2 + "/pause", Map.of("reason", "check dashboards"))
          .expect(202);
      api.awaitDeployment(
          v2, Duration.ofSeconds(60), d -> d.path("state").asText().equals("PAUSED"));
      JsonNode again = api.post("/api/v1/deployments/" + v2 + "/pause", null).expect(409).body();
      assertThat(again.path("message").asText()).isEqualTo("pause: deployment is already paused");
      api.post("/api/v1/deployments/" + v2 + "/resume", null).expect(202);

      JsonNode done = api.awaitFinal(v2, Duration.ofMinutes(3), e -> {});
      LoadGenerator.Report afterV2 = load.snapshot();

      assertThat(done.path("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(done.path("previousVersion").asText()).isEqualTo("1.0.0");
      assertThat(done.path("targets"))
          .allSatisfy(t -> assertThat(t.path("state").asText()).isEqualTo("UPGRADED"));
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(servedVersions()).containsOnly("2.0.0");
      assertThat(afterV2.failed()).as("failed requests: %s", afterV2.failures()).isZero();
      assertThat(afterV2.rate()).isGreaterThanOrEqualTo(100);
      assertThat(afterV2.byVersion()).containsKeys("1.0.0", "2.0.0");

      JsonNode history = api.get("/api/v1/services/checkout/history").expect(200).body();
      assertThat(history.path("current").asText()).isEqualTo("2.0.0");
      assertThat(history.path("previous").asText()).isEqualTo("1.0.0");

      // --- v3: fails its health check and is rolled back; the fleet keeps serving -------------
      String v3 =
          api.post(
                  "/api/v1/deployments",
                  Map.of(
                      "service", "checkout",
                      "version", "3.0.0",
                      "overrides", Map.of("rollbackOnFailure", true)))
              .expect(202)
              .body()
              .path("id")
              .asText();
      JsonNode rolledBack = api.awaitFinal(v3, Duration.ofMinutes(3), e -> {});
      LoadGenerator.Report total = load.stop();

      assertThat(rolledBack.path("state").asText()).isEqualTo("ROLLED_BACK");
      assertThat(rolledBack.path("reason").asText()).contains("health check failed");
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(servedVersions()).containsOnly("2.0.0");
      assertThat(total.failed()).as("failed requests: %s", total.failures()).isZero();
      assertThat(total.rate()).isGreaterThanOrEqualTo(100);
      assertThat(haproxyStatuses()).allSatisfy(s -> assertThat(s).startsWith("UP"));
      // Zero failures must come from draining, not from HAProxy quietly retrying requests that
      // hit a server going away: no request was retried or redispatched.
      assertThat(stack.haproxy().runtimeApi().showServerStats(stack.haproxy().backend()))
          .allSatisfy(
              row -> {
                assertThat(row.number("wretr", -1)).as("retries on %s", row.name()).isZero();
                assertThat(row.number("wredis", -1)).as("redispatches on %s", row.name()).isZero();
              });

      history = api.get("/api/v1/services/checkout/history").expect(200).body();
      assertThat(history.path("current").asText()).isEqualTo("2.0.0");
      assertThat(history.path("previous").asText()).isEqualTo("1.0.0");
      List<String> outcomes = new ArrayList<>();
      history
          .path("versions")
          .forEach(
              v -> outcomes.add(v.path("version").asText() + " " + v.path("outcome").asText()));
      assertThat(outcomes).containsExactly("2.0.0 SUCCEEDED", "3.0.0 ROLLED_BACK");

      // Every target was started once per request: no deploy was repeated.
      List<String> started =
          Files.readAllLines(stack.deployerLog()).stream()
              .filter(l -> l.contains("outcome=started") && !l.contains("requestId=bootstrap/"))
              .map(l -> l.replaceAll(".*(target=\\S+).*(requestId=\\S+).*", "$1 $2"))
              .toList();
      assertThat(started).doesNotHaveDuplicates().hasSize(4 + 2);
    }

    // --- v4: healthy, but failing 30% of requests: the post-deploy window rolls it back -------
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      String v4 =
          api.post(
                  "/api/v1/deployments",
                  Map.of(
                      "service",
                      "checkout",
                      "version",
                      "4.0.0",
                      "overrides",
                      Map.of("batchSize", "50%", "pauseBetweenBatches", "0s"),
                      "autoRollback",
                      Map.of("window", "30s", "interval", "2s")))
              .expect(202)
              .body()
              .path("id")
              .asText();
      JsonNode watched = api.awaitFinal(v4, Duration.ofMinutes(3), e -> {});

      assertThat(watched.path("state").asText()).isEqualTo("ROLLED_BACK");
      assertThat(watched.path("reason").asText())
          .startsWith("auto-rollback: errors")
          .contains("above the 5.00% ceiling");
      assertThat(watched.path("events").findValuesAsText("type"))
          .containsSubsequence("deployment.monitoring", "deployment.monitored");
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      assertThat(load.stop().byVersion()).containsKeys("4.0.0", "2.0.0");
    }
    assertThat(api.get("/api/v1/services/checkout/history").body().path("current").asText())
        .isEqualTo("2.0.0");
  }

  /** Asks every target directly which version it serves. */
  private static List<String> servedVersions() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<String> versions = new ArrayList<>();
    for (var target : stack.targets()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + target.address() + "/api/version"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      versions.add(response.body().replaceAll(".*\"version\"\\s*:\\s*\"([^\"]+)\".*", "$1"));
    }
    return versions;
  }

  private static List<String> haproxyStatuses() {
    return HaproxyRouter.fromRef(stack.haproxy().routerRef()).stats(stack.targets()).stream()
        .map(ServerStats::status)
        .toList();
  }
}
