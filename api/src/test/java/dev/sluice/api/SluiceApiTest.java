package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The REST API on the real application (embedded Temporal, H2 ledger) without a worker, so a
 * started deployment stays in progress: what the API accepts, refuses, and what it records.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SluiceApiTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  SluiceClient api;

  @BeforeEach
  void client() {
    api = new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
  }

  @Test
  void putCreatesAServiceThenReplacesItAndAuditsWhoDidIt() {
    JsonNode created = api.put("/api/v1/services/shop", ApiFixture.service()).expect(201).body();
    assertThat(created.path("definition").path("healthCheck").path("path").asText())
        .isEqualTo("/health");
    assertThat(created.path("definition").path("fleet")).hasSize(2);

    api.put("/api/v1/services/shop", ApiFixture.service()).expect(200);
    JsonNode got = api.get("/api/v1/services/shop").expect(200).body();
    assertThat(got.path("definition").path("trafficRouter").path("type").asText())
        .isEqualTo("haproxy");

    JsonNode audit = api.get("/api/v1/audit?subject=shop").expect(200).body();
    assertThat(audit.path("entries"))
        .hasSize(2)
        .allSatisfy(
            e -> {
              assertThat(e.path("actor").asText()).isEqualTo("alice");
              assertThat(e.path("action").asText()).isEqualTo("service.put");
            });
  }

  @Test
  void anInvalidServiceIsRefusedNamingEveryBadField() {
    Map<String, Object> bad = new HashMap<>(ApiFixture.service());
    bad.put(
        "fleet",
        List.of(
            Map.of("id", "t1", "host", "127.0.0.1", "port", 0),
            Map.of("id", "t1", "host", "127.0.0.1", "port", 9102)));
    bad.put("trafficRouter", Map.of("type", "nginx"));
    bad.put("healthCheck", Map.of("path", "health", "timeout", "soon"));
    bad.put("rolling", Map.of("batchSize", "0%"));

    JsonNode error = api.put("/api/v1/services/shop-bad", bad).expect(422).body();

    assertThat(error.path("errors").findValuesAsText("field"))
        .containsExactlyInAnyOrder(
            "fleet[0].port",
            "fleet[1].id",
            "trafficRouter.type",
            "healthCheck.path",
            "healthCheck.timeout",
            "rolling.batchSize");
    api.get("/api/v1/services/shop-bad").expect(404);
  }

  @Test
  void anUnknownFieldIsA400NamingItsPath() {
    Map<String, Object> bad = new HashMap<>(ApiFixture.service());
    bad.put("fleet", List.of(Map.of("id", "t1", "host", "127.0.0.1", "port", 9101, "hots", "x")));

    JsonNode error = api.put("/api/v1/services/shop-typo", bad).expect(400).body();

    assertThat(error.path("field").asText()).isEqualTo("fleet[0].hots");
    assertThat(error.path("message").asText()).contains("unknown field 'hots'");
  }

  @Test
  void malformedJsonIsA400SayingWhere() {
    JsonNode error = api.put("/api/v1/services/shop-json", "{\"fleet\": [").expect(400).body();
    assertThat(error.path("message").asText()).startsWith("malformed JSON at line 1");
    assertThat(error.toString()).doesNotContain("Source: REDACTED").doesNotContain("at dev.sluice");
  }

  @Test
  void aDeploymentIsAcceptedWith202AndTheServiceIsBusyUntilItEnds() {
    api.put("/api/v1/services/cart", ApiFixture.service()).expect(201);

    SluiceClient.Answer accepted =
        api.post("/api/v1/deployments", Map.of("service", "cart", "version", "2.0.0")).expect(202);
    String id = accepted.body().path("id").asText();
    assertThat(id).startsWith("dep-");
    assertThat(accepted.body().path("links").path("self").asText())
        .isEqualTo("/api/v1/deployments/" + id);
    assertThat(accepted.body().path("links").path("abort").asText()).endsWith("/abort");
    assertThat(accepted.body().path("requestedBy").asText()).isEqualTo("alice");

    JsonNode busy =
        api.post("/api/v1/deployments", Map.of("service", "cart", "version", "2.0.1"))
            .expect(409)
            .body();
    assertThat(busy.path("error").asText()).isEqualTo("deployment_in_progress");
    assertThat(busy.path("details").path("deploymentId").asText()).isEqualTo(id);
    assertThat(busy.path("message").asText()).contains(id);

    JsonNode list = api.get("/api/v1/deployments?service=cart").expect(200).body();
    assertThat(list.path("deployments"))
        .singleElement()
        .satisfies(d -> assertThat(d.path("id").asText()).isEqualTo(id));
  }

  @Test
  void aCanaryDeploymentIsAcceptedWithItsPlan() {
    api.put("/api/v1/services/shop-canary", ApiFixture.service()).expect(201);

    JsonNode accepted =
        api.post(
                "/api/v1/deployments",
                Map.of(
                    "service", "shop-canary",
                    "version", "2.0.0",
                    "strategy", "canary",
                    "canary",
                        Map.of(
                            "steps",
                            List.of(
                                Map.of("setWeight", 10),
                                Map.of("pause", Map.of()),
                                Map.of("analysis", Map.of("duration", "5m", "interval", "30s"))))))
            .expect(202)
            .body();

    assertThat(accepted.path("strategy").asText()).isEqualTo("canary");
    assertThat(accepted.path("links").path("promote").asText()).endsWith("/promote");
  }

  @Test
  void theSameIdempotencyKeyReturnsTheSameDeploymentAndADifferentBodyIsRefused() {
    api.put("/api/v1/services/basket", ApiFixture.service()).expect(201);
    Map<String, Object> body = Map.of("service", "basket", "version", "2.0.0");

    String first =
        api.post("/api/v1/deployments", body, "ci-run-42").expect(202).body().path("id").asText();
    String again =
        api.post("/api/v1/deployments", body, "ci-run-42").expect(202).body().path("id").asText();
    JsonNode reused =
        api.post(
                "/api/v1/deployments", Map.of("service", "basket", "version", "2.0.1"), "ci-run-42")
            .expect(422)
            .body();

    assertThat(again).isEqualTo(first);
    assertThat(reused.path("field").asText()).isEqualTo("Idempotency-Key");
    assertThat(api.get("/api/v1/deployments?service=basket").body().path("deployments")).hasSize(1);
  }

  static Stream<Arguments> badDeployments() {
    return Stream.of(
        Arguments.of("{\"service\":\"orders\",", 400, null),
        Arguments.of("{\"service\":\"nope\",\"version\":\"1.0\"}", 422, "service"),
        Arguments.of("{\"service\":\"orders\"}", 422, "version"),
        Arguments.of("{\"service\":\"orders\",\"version\":\"../etc/passwd\"}", 422, "version"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"strategy\":\"yolo\"}", 422, "strategy"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"overrides\":{\"batchSize\":0}}",
            422,
            "overrides.batchSize"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"overrides\":{\"batchSize\":3}}",
            422,
            "overrides.batchSize"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"overrides\":{\"bacthSize\":1}}",
            400,
            "overrides.bacthSize"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"overrides\":{\"pauseBetweenBatches\":\"later\"}}",
            422,
            "overrides.pauseBetweenBatches"),
        Arguments.of("[1,2]", 400, null),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"strategy\":\"canary\","
                + "\"canary\":{\"canaryCount\":2}}",
            422,
            "canary.canaryCount"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"strategy\":\"canary\","
                + "\"canary\":{\"steps\":[{\"setWeight\":5,\"pause\":{}}]}}",
            422,
            "canary.steps[0]"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"strategy\":\"canary\","
                + "\"canary\":{\"steps\":[{\"setWeight\":150}]}}",
            422,
            "canary.steps[0].setWeight"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"strategy\":\"canary\","
                + "\"canary\":{\"steps\":[{\"analysis\":{\"duration\":\"1m\","
                + "\"interval\":\"5m\"}}]}}",
            422,
            "canary.steps[0].analysis.interval"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"canary\":{\"canaryCount\":1}}",
            422,
            "canary"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"strategy\":\"blue-green\"}",
            422,
            "strategy"),
        Arguments.of(
            "{\"service\":\"orders\",\"version\":\"1.0\",\"strategy\":\"blue-green\","
                + "\"blueGreen\":{\"smokeChecks\":[{\"path\":\"health\"}]}}",
            422,
            "blueGreen.smokeChecks[0].path"));
  }

  @ParameterizedTest
  @MethodSource("badDeployments")
  void aBadDeploymentRequestIsRefusedNamingTheFieldAndStartsNothing(
      String body, int status, String field) {
    api.put("/api/v1/services/orders", ApiFixture.service()).expect(200, 201);

    JsonNode error = api.post("/api/v1/deployments", body).expect(status).body();

    assertThat(error.path("code").asInt()).isEqualTo(status);
    if (field != null) {
      assertThat(error.path("field").asText()).isEqualTo(field);
    }
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(api.get("/api/v1/deployments?service=orders").body().path("deployments")).isEmpty();
  }

  /** The ledger the application writes to, for closing deployments no worker runs. */
  static Ledger ledger() {
    return new Ledger(Jdbi.create(APP.getConfiguration().getDatabase().getUrl(), "sa", ""));
  }

  /** Starts a deployment over REST and records it as failed, as its workflow would. */
  private void failedDeployment(String service, String version) {
    String id =
        api.post("/api/v1/deployments", Map.of("service", service, "version", version))
            .expect(202)
            .body()
            .path("id")
            .asText();
    ledger()
        .record(
            new LedgerEntry(
                id,
                service,
                version,
                "1.0.0",
                DeploymentState.FAILED,
                Phase.COMPLETED,
                1,
                1,
                "unhealthy",
                List.of(),
                List.of(),
                null));
  }

  @Test
  void threeFailedDeploymentsInARowBlockTheServiceUntilAnAdminResetsIt() {
    api.put("/api/v1/services/flaky", ApiFixture.service()).expect(201);
    failedDeployment("flaky", "2.0.0");
    failedDeployment("flaky", "2.0.1");
    failedDeployment("flaky", "2.0.2");

    JsonNode blocked =
        api.post("/api/v1/deployments", Map.of("service", "flaky", "version", "2.0.3"))
            .expect(409)
            .body();
    assertThat(blocked.path("error").asText()).isEqualTo("circuit_open");
    assertThat(blocked.path("message").asText()).contains("blocked until");
    assertThat(api.get("/api/v1/services/flaky/circuit").body().path("open").asBoolean()).isTrue();

    JsonNode reset = api.post("/api/v1/services/flaky/circuit/reset", null).expect(200).body();
    assertThat(reset.path("open").asBoolean()).isFalse();
    api.post("/api/v1/deployments", Map.of("service", "flaky", "version", "2.0.3")).expect(202);
  }

  @Test
  void aServiceWithNothingEarlierCannotBeRolledBack() {
    api.put("/api/v1/services/fresh", ApiFixture.service()).expect(201);

    JsonNode error = api.post("/api/v1/services/fresh/rollback", null).expect(409).body();

    assertThat(error.path("error").asText()).isEqualTo("no_previous_version");
    api.post("/api/v1/services/nothing-here/rollback", null).expect(404);
  }

  @Test
  void unknownDeploymentsActionsAndServicesAre404() {
    assertThat(
            api.get("/api/v1/deployments/dep-000000000000")
                .expect(404)
                .body()
                .path("error")
                .asText())
        .isEqualTo("not_found");
    api.post("/api/v1/deployments/dep-000000000000/pause", null).expect(404);
    api.put("/api/v1/services/stock", ApiFixture.service()).expect(201);
    String id =
        api.post("/api/v1/deployments", Map.of("service", "stock", "version", "2.0.0"))
            .expect(202)
            .body()
            .path("id")
            .asText();
    api.post("/api/v1/deployments/" + id + "/explode", null).expect(404);
    api.get("/api/v1/services/unknown/history").expect(404);
  }

  @Test
  void badQueryParametersAre400sNamingThem() {
    assertThat(api.get("/api/v1/deployments?state=DONE").expect(400).body().path("field").asText())
        .isEqualTo("state");
    assertThat(api.get("/api/v1/deployments?limit=abc").expect(400).body().path("field").asText())
        .isEqualTo("limit");
    assertThat(api.get("/api/v1/audit?limit=0").expect(400).body().path("field").asText())
        .isEqualTo("limit");
  }

  @Test
  void anOverlongActorHeaderIsA400AndChangesNothing() {
    SluiceClient shouty =
        new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "x".repeat(300));

    JsonNode error =
        shouty.put("/api/v1/services/actor-test", ApiFixture.service()).expect(400).body();

    assertThat(error.path("field").asText()).isEqualTo("X-Sluice-Actor");
    api.get("/api/v1/services/actor-test").expect(404);
  }

  @Test
  void analysisSettingsAreStoredAndReturned() {
    Map<String, Object> spec = new HashMap<>(ApiFixture.service());
    spec.put(
        "analysis",
        Map.of(
            "provider",
            Map.of(
                "type",
                "prometheus",
                "settings",
                Map.of(
                    "url",
                    "http://127.0.0.1:9090",
                    "queries",
                    Map.of("latency", "rate(x{group=\"{{group}}\"}[{{window}}])"))),
            "metrics",
            List.of(Map.of("name", "latency", "type", "samples", "allowedChange", 0.2)),
            "alpha",
            0.02));

    api.put("/api/v1/services/shop-analysis", spec).expect(201);
    JsonNode analysis =
        api.get("/api/v1/services/shop-analysis")
            .expect(200)
            .body()
            .path("definition")
            .path("analysis");

    assertThat(analysis.path("provider").path("type").asText()).isEqualTo("prometheus");
    assertThat(analysis.path("metrics").get(0).path("type").asText()).isEqualTo("samples");
    assertThat(analysis.path("metrics").get(0).path("allowedChange").asDouble()).isEqualTo(0.2);
    assertThat(analysis.path("alpha").asDouble()).isEqualTo(0.02);
  }

  @Test
  void badAnalysisSettingsAreRefusedNamingTheField() {
    Map<String, Object> spec = new HashMap<>(ApiFixture.service());
    spec.put(
        "analysis",
        Map.of(
            "provider",
            Map.of("type", "datadog"),
            "metrics",
            List.of(
                Map.of("name", "errors", "type", "ratios"),
                Map.of("name", "latency", "type", "samples", "direction", "up")),
            "alpha",
            0.9));

    JsonNode error = api.put("/api/v1/services/shop-bad-analysis", spec).expect(422).body();

    assertThat(error.path("errors").findValuesAsText("field"))
        .contains(
            "analysis.provider.type", "analysis.metrics[0].type", "analysis.metrics[1].direction");
    api.get("/api/v1/services/shop-bad-analysis").expect(404);
  }

  @Test
  void aSamplesMetricOnTheHaproxyRoutersOwnCountersIsRefusedInTheProvidersWords() {
    Map<String, Object> spec = new HashMap<>(ApiFixture.service());
    spec.put(
        "analysis",
        Map.of(
            "metrics",
            List.of(
                Map.of("name", "errors", "type", "ratio"),
                Map.of("name", "latency", "type", "samples"))));

    JsonNode error = api.put("/api/v1/services/shop-haproxy-samples", spec).expect(422).body();

    assertThat(error.path("errors").findValuesAsText("field"))
        .containsExactly("analysis.metrics[1].type");
    assertThat(error.path("errors").get(0).path("message").asText())
        .isEqualTo(
            "HAProxy's counters keep no individual response times: a samples metric needs a"
                + " provider with histograms (prometheus)");
    api.get("/api/v1/services/shop-haproxy-samples").expect(404);
  }

  @Test
  void aPrometheusAnalysisWithoutAQueryOfTheRightShapeForAMetricIsRefusedWhenWritten() {
    Map<String, Object> spec = new HashMap<>(ApiFixture.service());
    spec.put(
        "analysis",
        Map.of(
            "provider",
            Map.of(
                "type",
                "prometheus",
                "settings",
                Map.of(
                    "url",
                    "http://127.0.0.1:9090",
                    "queries",
                    Map.of("errors", "sum(rate(errors_total[{{window}}]))"))),
            "metrics",
            List.of(
                Map.of("name", "errors", "type", "ratio"),
                Map.of("name", "latency", "type", "samples"))));

    JsonNode error = api.put("/api/v1/services/shop-no-query", spec).expect(422).body();

    assertThat(error.path("errors").findValuesAsText("field"))
        .containsExactly("analysis.metrics[0]", "analysis.metrics[1]");
    assertThat(error.path("errors").get(0).path("message").asText())
        .contains("metric 'errors' is a RATIO, which takes an object with two queries");
    assertThat(error.path("errors").get(1).path("message").asText())
        .contains("no query for metric 'latency' in 'queries'");
    api.get("/api/v1/services/shop-no-query").expect(404);
  }

  @Test
  void autoRollbackSettingsTakeTheSeedsCeilingsAndBadOnesAreRefusedNamingTheField() {
    Map<String, Object> spec = new HashMap<>(ApiFixture.service());
    spec.put("autoRollback", Map.of("window", "10m"));
    api.put("/api/v1/services/shop-watch", spec).expect(201);
    JsonNode auto =
        api.get("/api/v1/services/shop-watch")
            .expect(200)
            .body()
            .path("definition")
            .path("autoRollback");
    // Stored as given, so the GET can be PUT back; the defaults apply at deploy time.
    assertThat(auto.path("window").asText()).isEqualTo("10m");
    assertThat(auto.has("interval")).isFalse();
    assertThat(auto.has("thresholds")).isFalse();
    Map<String, Object> roundTrip =
        new ObjectMapper()
            .convertValue(
                api.get("/api/v1/services/shop-watch").body().path("definition"),
                new TypeReference<Map<String, Object>>() {});
    api.put("/api/v1/services/shop-watch", roundTrip).expect(200);

    spec.put(
        "autoRollback",
        Map.of(
            "window",
            "soon",
            "thresholds",
            List.of(
                Map.of("metric", "error", "max", 0.05),
                Map.of("metric", "errors", "max", 5, "unit", "ratio"),
                Map.of("metric", "latency", "max", 800, "unit", "minutes"))));
    JsonNode error = api.put("/api/v1/services/shop-watch", spec).expect(422).body();
    assertThat(error.path("errors").findValuesAsText("field"))
        .containsExactlyInAnyOrder(
            "autoRollback.window",
            "autoRollback.thresholds[0].metric",
            "autoRollback.thresholds[1].max",
            "autoRollback.thresholds[2].unit");
    assertThat(error.path("errors").get(1).path("message").asText()).contains("errors");
    // Refused means unchanged.
    assertThat(
            api.get("/api/v1/services/shop-watch")
                .body()
                .path("definition")
                .path("autoRollback")
                .path("window")
                .asText())
        .isEqualTo("10m");

    JsonNode refused =
        api.post(
                "/api/v1/deployments",
                Map.of(
                    "service",
                    "shop-watch",
                    "version",
                    "2.0.0",
                    "autoRollback",
                    Map.of("window", "1m", "interval", "5m")))
            .expect(422)
            .body();
    assertThat(refused.path("field").asText()).isEqualTo("autoRollback.interval");
    assertThat(api.get("/api/v1/deployments?service=shop-watch").body().path("deployments"))
        .isEmpty();
  }

  @Test
  void theJudgeReplaysRecordedSeriesAndFailsABadCanaryAtTheIntervalItWouldHave() {
    List<Map<String, Object>> intervals = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      intervals.add(
          Map.of(
              "baseline", Map.of("events", 10, "total", 9000),
              "canary", Map.of("events", 10, "total", 1000)));
    }
    JsonNode result =
        api.post(
                "/api/v1/analysis/judge",
                Map.of(
                    "metrics",
                    List.of(
                        Map.of(
                            "name",
                            "errors",
                            "type",
                            "ratio",
                            "direction",
                            "increase",
                            "critical",
                            true,
                            "intervals",
                            intervals))))
            .expect(200)
            .body();

    assertThat(result.path("verdict").asText()).isEqualTo("FAIL");
    assertThat(result.path("decidedAtInterval").asInt()).isBetween(0, 5);
    assertThat(result.path("metrics").get(0).path("name").asText()).isEqualTo("errors");
    assertThat(result.path("metrics").get(0).path("verdict").asText()).isEqualTo("FAIL");
    assertThat(result.path("metrics").get(0).path("details").asText()).isNotBlank();
  }

  @Test
  void badJudgeInputIsA400NamingTheField() {
    JsonNode unknownType =
        api.post(
                "/api/v1/analysis/judge",
                Map.of(
                    "metrics",
                    List.of(
                        Map.of(
                            "name",
                            "errors",
                            "type",
                            "histogram",
                            "direction",
                            "increase",
                            "intervals",
                            List.of(Map.of("baseline", 1, "canary", 2))))))
            .expect(400)
            .body();
    assertThat(unknownType.path("field").asText()).isEqualTo("metrics[0].type");

    JsonNode negative =
        api.post(
                "/api/v1/analysis/judge",
                Map.of(
                    "metrics",
                    List.of(
                        Map.of(
                            "name",
                            "errors",
                            "type",
                            "ratio",
                            "direction",
                            "increase",
                            "intervals",
                            List.of(
                                Map.of(
                                    "baseline", Map.of("events", 1, "total", 100),
                                    "canary", Map.of("events", -1, "total", 100)))))))
            .expect(400)
            .body();
    assertThat(negative.path("field").asText()).isEqualTo("metrics[0].intervals[0].canary.events");

    JsonNode tooMany =
        api.post(
                "/api/v1/analysis/judge",
                Map.of(
                    "metrics",
                    List.of(
                        Map.of(
                            "name",
                            "errors",
                            "type",
                            "ratio",
                            "direction",
                            "increase",
                            "intervals",
                            List.of(
                                Map.of(
                                    "baseline", Map.of("events", 101, "total", 100),
                                    "canary", Map.of("events", 1, "total", 100)))))))
            .expect(400)
            .body();
    assertThat(tooMany.path("field").asText()).startsWith("metrics[0].intervals[0].baseline");
    assertThat(tooMany.path("message").asText()).contains("total");

    JsonNode empty =
        api.post("/api/v1/analysis/judge", Map.of("metrics", List.of())).expect(400).body();
    assertThat(empty.path("field").asText()).isEqualTo("metrics");
  }

  @Test
  void adapterSettingsAreCheckedWhenTheServiceIsPut() {
    Map<String, Object> bad = new HashMap<>(ApiFixture.service());
    bad.put("trafficRouter", Map.of("type", "haproxy", "settings", Map.of("backend", "app")));

    JsonNode error = api.put("/api/v1/services/shop-settings", bad).expect(422).body();

    assertThat(error.path("field").asText()).isEqualTo("trafficRouter.settings");
    assertThat(error.path("message").asText()).contains("socket");
  }

  @Test
  void anOverlongControlReasonIsRefused() {
    api.put("/api/v1/services/reasons", ApiFixture.service()).expect(201);
    String id =
        api.post("/api/v1/deployments", Map.of("service", "reasons", "version", "2.0.0"))
            .expect(202)
            .body()
            .path("id")
            .asText();

    JsonNode error =
        api.post("/api/v1/deployments/" + id + "/pause", Map.of("reason", "y".repeat(1001)))
            .expect(422)
            .body();

    assertThat(error.path("field").asText()).isEqualTo("reason");
  }
}
