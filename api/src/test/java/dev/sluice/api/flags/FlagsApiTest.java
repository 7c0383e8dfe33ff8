package dev.sluice.api.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.ApiFixtureAccess;
import dev.sluice.api.SluiceConfiguration;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Feature flags over REST on the real application (with an embedded worker): versions, ETags,
 * evaluation, rollouts, bad input.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class FlagsApiTest {

  /** With a worker: flag rollouts are workflows. */
  static final DropwizardAppExtension<SluiceConfiguration> APP =
      ApiFixtureAccess.app(ConfigOverride.config("worker.embedded", "true"));

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  record Reply(int status, JsonNode body, String etag) {}

  static Reply call(String method, String path, Object body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
            .header("Content-Type", "application/json")
            .header("X-Sluice-Actor", "alice")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = response.body().isEmpty() ? null : JSON.readTree(response.body());
    return new Reply(
        response.statusCode(), json, response.headers().firstValue("ETag").orElse(null));
  }

  /** The chapter's checkout flag: internal users always, then 25% of everyone by targeting key. */
  static Map<String, Object> checkout() {
    return Map.of(
        "state",
        "ENABLED",
        "variants",
        Map.of("on", true, "off", false),
        "defaultVariant",
        "off",
        "targeting",
        Map.of(
            "if",
            List.of(
                Map.of("ends_with", List.of(Map.of("var", "email"), "@example.com")),
                "on",
                Map.of("fractional", List.of(List.of("on", 25), List.of("off", 75))))));
  }

  @Test
  void aFlagIsCreatedEvaluatedKilledAndRestoredWithEveryVersionKept() throws Exception {
    Reply created =
        call(
            "POST",
            "/api/v1/flags",
            Map.of(
                "key",
                "new-checkout",
                "type",
                "release",
                "owner",
                "team-checkout",
                "definition",
                checkout(),
                "reason",
                "launch"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.etag()).isEqualTo("\"1\"");
    assertThat(created.body().path("lifetimeDays").asInt()).isEqualTo(40);

    Reply internal =
        call(
            "POST",
            "/api/v1/flags/new-checkout/evaluate",
            Map.of("context", Map.of("targetingKey", "u-1", "email", "kim@example.com")));
    assertThat(internal.body().path("value").asBoolean()).isTrue();
    assertThat(internal.body().path("reason").asText()).isEqualTo("TARGETING_MATCH");
    Reply someone =
        call(
            "POST",
            "/api/v1/flags/new-checkout/evaluate",
            Map.of("context", Map.of("targetingKey", "u-2", "email", "lee@elsewhere.org")));
    assertThat(someone.body().path("reason").asText()).isEqualTo("SPLIT");

    Reply killed =
        call("POST", "/api/v1/flags/new-checkout/disable", Map.of("reason", "incident 42"));
    assertThat(killed.body().path("version").asInt()).isEqualTo(2);
    Reply disabled =
        call(
            "POST",
            "/api/v1/flags/new-checkout/evaluate",
            Map.of("context", Map.of("targetingKey", "u-1", "email", "kim@example.com")));
    assertThat(disabled.body().path("reason").asText()).isEqualTo("DISABLED");

    Reply restored =
        call("POST", "/api/v1/flags/new-checkout/versions/1/restore", Map.of("reason", "fixed"));
    assertThat(restored.status()).isEqualTo(200);
    assertThat(restored.body().path("version").asInt()).isEqualTo(3);
    assertThat(restored.body().path("definition").path("state").asText()).isEqualTo("ENABLED");

    Reply versions = call("GET", "/api/v1/flags/new-checkout/versions", null);
    assertThat(versions.body().path("versions").findValuesAsText("action"))
        .containsExactly("restore", "disable", "create");
    assertThat(versions.body().path("versions").get(1).path("reason").asText())
        .isEqualTo("incident 42");
    assertThat(versions.body().path("versions").get(1).path("actor").asText()).isEqualTo("alice");
  }

  @Test
  void theSnapshotIsAFlagdDocumentWithTheRevisionAsETag() throws Exception {
    call("POST", "/api/v1/flags", Map.of("key", "snap-a", "type", "ops", "definition", checkout()));
    Reply snapshot = call("GET", "/api/v1/flags/snapshot", null);
    assertThat(snapshot.status()).isEqualTo(200);
    assertThat(snapshot.body().path("flags").has("snap-a")).isTrue();
    assertThat(snapshot.etag()).isNotNull();

    Reply same = call("GET", "/api/v1/flags/snapshot", null, "If-None-Match", snapshot.etag());
    assertThat(same.status()).isEqualTo(304);
    Reply waited =
        call(
            "GET",
            "/api/v1/flags/snapshot?waitForChange=true&timeout=1",
            null,
            "If-None-Match",
            snapshot.etag());
    assertThat(waited.status()).as("nothing changed within the timeout").isEqualTo(304);

    call("POST", "/api/v1/flags/snap-a/disable", Map.of("reason", "test"));
    Reply moved =
        call(
            "GET",
            "/api/v1/flags/snapshot?waitForChange=true&timeout=30",
            null,
            "If-None-Match",
            snapshot.etag());
    assertThat(moved.status()).isEqualTo(200);
    assertThat(moved.etag()).isNotEqualTo(snapshot.etag());
    assertThat(moved.body().path("flags").path("snap-a").path("state").asText())
        .isEqualTo("DISABLED");
  }

  @Test
  void longPollsWaitWithoutHoldingAServerThreadAndAllHearOfTheChange() throws Exception {
    call("POST", "/api/v1/flags", Map.of("key", "park-a", "type", "ops", "definition", checkout()));
    String etag = call("GET", "/api/v1/flags/snapshot", null).etag();
    int clients = 40;
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      polls.add(
          HTTP.sendAsync(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + APP.getLocalPort()
                              + "/api/v1/flags/snapshot?waitForChange=true&timeout=60"))
                  .header("If-None-Match", etag)
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    com.codahale.metrics.Gauge<?> waiting =
        APP.getEnvironment().metrics().getGauges().get("sluice.flags.snapshot.waiting");
    Awaitility.await("every long-poll parked")
        .atMost(Duration.ofSeconds(20))
        .until(() -> waiting.getValue().equals(clients));
    assertThat(threadsIn("FlagsResource.snapshot"))
        .as("no server thread sits in the snapshot endpoint while requests wait")
        .isZero();
    assertThat(polls).noneMatch(CompletableFuture::isDone);

    call("POST", "/api/v1/flags/park-a/disable", Map.of("reason", "test"));

    for (var poll : polls) {
      HttpResponse<String> answer = poll.get(30, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
      assertThat(JSON.readTree(answer.body()).path("flags").path("park-a").path("state").asText())
          .isEqualTo("DISABLED");
    }
    assertThat(waiting.getValue()).isEqualTo(0);

    Reply badTimeout =
        call(
            "GET",
            "/api/v1/flags/snapshot?waitForChange=true&timeout=0",
            null,
            "If-None-Match",
            etag);
    assertThat(badTimeout.status()).isEqualTo(400);
    assertThat(badTimeout.body().path("field").asText()).isEqualTo("timeout");
    Reply badTag = call("GET", "/api/v1/flags/snapshot", null, "If-None-Match", "yesterday");
    assertThat(badTag.status()).isEqualTo(400);
    assertThat(badTag.body().path("field").asText()).isEqualTo("If-None-Match");
  }

  private static long threadsIn(String frame) {
    return Thread.getAllStackTraces().values().stream()
        .filter(
            stack ->
                Arrays.stream(stack)
                    .anyMatch(e -> (e.getClassName() + "." + e.getMethodName()).endsWith(frame)))
        .count();
  }

  @Test
  void aDualWriteMigrationMovesItsPhaseFlagAndAnAbortTakesItBackToOldOnly() throws Exception {
    Map<String, Object> variants = new LinkedHashMap<>();
    for (String phase : List.of("old-only", "dual-write", "shadow-read", "read-new", "new-only")) {
      variants.put(phase, phase);
    }
    call(
        "POST",
        "/api/v1/flags",
        Map.of(
            "key",
            "accounts-phase",
            "type",
            "ops",
            "definition",
            Map.of("state", "ENABLED", "variants", variants, "defaultVariant", "old-only")));
    Reply bad =
        call(
            "POST",
            "/api/v1/dual-writes",
            Map.of("name", "accounts", "flagKey", "no-such-flag", "metricsUrls", List.of()));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("field").asText()).isEqualTo("flagKey");
    assertThat(call("GET", "/api/v1/dual-writes/accounts", null).status()).isEqualTo(404);

    Reply started =
        call(
            "POST",
            "/api/v1/dual-writes",
            Map.of(
                "name",
                "accounts",
                "flagKey",
                "accounts-phase",
                "metricsUrls",
                List.of("http://127.0.0.1:1/metrics"),
                "window",
                "1s"));
    assertThat(started.status()).isEqualTo(202);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                call("GET", "/api/v1/dual-writes/accounts", null)
                    .body()
                    .path("phase")
                    .asText()
                    .equals("dual-write"));
    assertThat(
            call("GET", "/api/v1/flags/accounts-phase", null)
                .body()
                .path("definition")
                .path("defaultVariant")
                .asText())
        .isEqualTo("dual-write");

    assertThat(
            call("POST", "/api/v1/dual-writes/accounts/abort", Map.of("reason", "test")).status())
        .isEqualTo(202);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                call("GET", "/api/v1/dual-writes/accounts", null)
                    .body()
                    .path("state")
                    .asText()
                    .equals("ROLLED_BACK"));
    assertThat(
            call("GET", "/api/v1/flags/accounts-phase", null)
                .body()
                .path("definition")
                .path("defaultVariant")
                .asText())
        .isEqualTo("old-only");
    assertThat(call("POST", "/api/v1/dual-writes/accounts/promote", null).status())
        .as("it has ended")
        .isEqualTo(409);
  }

  @Test
  void aBadDefinitionIsA400NamingItsPathAndNothingIsStored() throws Exception {
    Map<String, Object> bad =
        Map.of(
            "state", "ENABLED",
            "variants", Map.of("on", true, "off", false),
            "defaultVariant", "maybe");

    Reply refused =
        call(
            "POST", "/api/v1/flags", Map.of("key", "broken", "type", "release", "definition", bad));

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().path("field").asText()).startsWith("definition.defaultVariant");
    assertThat(call("GET", "/api/v1/flags/broken", null).status()).isEqualTo(404);
    assertThat(call("GET", "/api/v1/flags/broken/versions", null).status()).isEqualTo(404);

    Reply badType =
        call(
            "POST",
            "/api/v1/flags",
            Map.of("key", "typed", "type", "forever", "definition", checkout()));
    assertThat(badType.status()).isEqualTo(400);
    assertThat(badType.body().path("field").asText()).isEqualTo("type");
  }

  @Test
  void everydayOperationsCompileToTheStoredDefinition() throws Exception {
    call(
        "POST",
        "/api/v1/flags",
        Map.of(
            "key",
            "banner",
            "type",
            "release",
            "definition",
            Map.of(
                "state", "ENABLED",
                "variants", Map.of("on", true, "off", false),
                "defaultVariant", "off")));

    Reply rolled =
        call("POST", "/api/v1/flags/banner/rollout", Map.of("variant", "on", "percentage", 10));
    assertThat(rolled.status()).isEqualTo(200);
    assertThat(rolled.body().path("definition").path("targeting").path("fractional").toString())
        .isEqualTo("[[\"on\",10],[\"off\",90]]");
    Reply more =
        call("POST", "/api/v1/flags/banner/rollout", Map.of("variant", "on", "percentage", 50));
    assertThat(more.body().path("definition").path("targeting").path("fractional").toString())
        .isEqualTo("[[\"on\",50],[\"off\",50]]");

    Reply ruled =
        call(
            "POST",
            "/api/v1/flags/banner/rules",
            Map.of(
                "condition", Map.of("in", List.of(Map.of("var", "country"), List.of("NL", "BE"))),
                "variant", "on",
                "reason", "benelux first"));
    assertThat(ruled.status()).isEqualTo(200);
    Reply dutch =
        call(
            "POST",
            "/api/v1/flags/banner/evaluate",
            Map.of("context", Map.of("targetingKey", "u-3", "country", "NL")));
    assertThat(dutch.body().path("reason").asText()).isEqualTo("TARGETING_MATCH");
    assertThat(dutch.body().path("value").asBoolean()).isTrue();

    Reply noSuchRule = call("DELETE", "/api/v1/flags/banner/rules/7", null);
    assertThat(noSuchRule.status()).isEqualTo(400);
    assertThat(noSuchRule.body().path("field").asText()).isEqualTo("index");
    Reply longReason =
        call("POST", "/api/v1/flags/banner/disable", Map.of("reason", "x".repeat(1001)));
    assertThat(longReason.status()).isEqualTo(400);
    assertThat(longReason.body().path("field").asText()).isEqualTo("reason");

    Reply removed = call("DELETE", "/api/v1/flags/banner/rules/0?reason=done", null);
    assertThat(removed.status()).isEqualTo(200);
    assertThat(removed.body().path("definition").path("targeting").has("if")).isFalse();

    Reply badPercent =
        call("POST", "/api/v1/flags/banner/rollout", Map.of("variant", "on", "percentage", 150));
    assertThat(badPercent.status()).isEqualTo(400);
    assertThat(badPercent.body().path("field").asText()).isEqualTo("percentage");
    Reply unknownVariant =
        call("POST", "/api/v1/flags/banner/rollout", Map.of("variant", "maybe", "percentage", 5));
    assertThat(unknownVariant.status()).isEqualTo(400);
    assertThat(call("GET", "/api/v1/flags/banner/versions", null).body().path("versions"))
        .hasSize(5);
  }

  @Test
  void aRolloutWorkflowMovesTheSplitStageByStageAndAnAbortTakesItBack() throws Exception {
    call(
        "POST",
        "/api/v1/flags",
        Map.of(
            "key",
            "gradual",
            "type",
            "release",
            "definition",
            Map.of(
                "state", "ENABLED",
                "variants", Map.of("on", true, "off", false),
                "defaultVariant", "off")));

    Reply bad =
        call(
            "POST",
            "/api/v1/flags/gradual/rollouts",
            Map.of(
                "variant", "maybe",
                "stages", List.of(Map.of("percent", 50), Map.of("percent", 10, "bake", "soon")),
                "gate", Map.of("service", "no-such-service")));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("errors").findValuesAsText("field"))
        .containsExactlyInAnyOrder(
            "variant", "stages[1].percent", "stages[1].bake", "gate.service");

    Reply started =
        call(
            "POST",
            "/api/v1/flags/gradual/rollouts",
            Map.of(
                "variant", "on",
                "stages", List.of(Map.of("percent", 10, "bake", "1h"), Map.of("percent", 100)),
                "reason", "launch"));
    assertThat(started.status()).isEqualTo(202);
    Reply again = call("POST", "/api/v1/flags/gradual/rollouts", Map.of("variant", "on"));
    assertThat(again.status()).as("one rollout per flag at a time").isEqualTo(409);

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                call("GET", "/api/v1/flags/gradual/rollouts/current", null)
                        .body()
                        .path("percent")
                        .asInt()
                    == 10);
    JsonNode split =
        call("GET", "/api/v1/flags/gradual", null).body().path("definition").path("targeting");
    assertThat(split.path("fractional").toString()).isEqualTo("[[\"on\",10],[\"off\",90]]");

    Reply aborted =
        call(
            "POST",
            "/api/v1/flags/gradual/rollouts/current/abort",
            Map.of("reason", "error budget"));
    assertThat(aborted.status()).isEqualTo(200);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                call("GET", "/api/v1/flags/gradual/rollouts/current", null)
                    .body()
                    .path("state")
                    .asText()
                    .equals("ABORTED"));
    assertThat(
            call("GET", "/api/v1/flags/gradual", null)
                .body()
                .path("definition")
                .path("targeting")
                .path("fractional")
                .toString())
        .isEqualTo("[[\"on\",0],[\"off\",100]]");
    assertThat(
            call("GET", "/api/v1/flags/gradual/versions", null)
                .body()
                .path("versions")
                .get(0)
                .path("actor")
                .asText())
        .isEqualTo("rollout:flag-rollout-gradual (alice)");
  }

  @Test
  void comparingCohortsOnMetricsThatCannotTellThemApartIsRefusedInTheProvidersWords()
      throws Exception {
    Reply service =
        call(
            "PUT",
            "/api/v1/services/cohorts",
            Map.of(
                "fleet",
                List.of(Map.of("id", "t1", "host", "127.0.0.1", "port", 9101)),
                "trafficRouter",
                Map.of(
                    "type",
                    "haproxy",
                    "settings",
                    Map.of("socket", "/tmp/none.sock", "backend", "app")),
                "deployer",
                Map.of(
                    "type", "local-process", "settings", Map.of("sampleAppJar", "/tmp/none.jar"))));
    assertThat(service.status()).isEqualTo(201);
    call(
        "POST",
        "/api/v1/flags",
        Map.of(
            "key",
            "cohorts",
            "type",
            "release",
            "definition",
            Map.of(
                "state", "ENABLED",
                "variants", Map.of("on", true, "off", false),
                "defaultVariant", "off")));

    Reply refused =
        call(
            "POST",
            "/api/v1/flags/cohorts/rollouts",
            Map.of("variant", "on", "gate", Map.of("service", "cohorts", "compareCohorts", true)));

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().path("errors").findValuesAsText("field"))
        .containsExactly("gate.compareCohorts");
    // The haproxy router's default metrics (haproxy-stats) say so themselves.
    assertThat(refused.body().path("errors").get(0).path("message").asText())
        .isEqualTo(
            "HAProxy's counters cannot tell flag-on users from flag-off ones: comparing cohorts"
                + " needs metrics labelled by cohort (a prometheus provider)");
  }

  @Test
  void aChangeBasedOnAnOldVersionIsRefused() throws Exception {
    call(
        "POST",
        "/api/v1/flags",
        Map.of("key", "pricing", "type", "experiment", "definition", checkout()));
    call("POST", "/api/v1/flags/pricing/disable", Map.of("reason", "pause"));

    Reply stale =
        call(
            "PUT",
            "/api/v1/flags/pricing",
            Map.of("definition", checkout(), "reason", "based on version 1"),
            "If-Match",
            "\"1\"");

    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.body().path("details").path("version").asInt()).isEqualTo(2);
    assertThat(
            call("GET", "/api/v1/flags/pricing", null)
                .body()
                .path("definition")
                .path("state")
                .asText())
        .isEqualTo("DISABLED");
  }

  /**
   * Found by ./bench/run fuzz: the document types these fields as strings, so an evaluation's
   * {@code variant} or {@code errorCode} and a version's {@code reason} are left out, not null.
   */
  @Test
  void anEvaluationLeavesOutTheFieldsThatDoNotApplyRatherThanSendingNull() throws Exception {
    call(
        "POST",
        "/api/v1/flags",
        Map.of(
            "key", "null-free",
            "type", "ops",
            "owner", "team-checkout",
            "definition",
                Map.of(
                    "state", "ENABLED",
                    "variants", Map.of("on", true, "off", false),
                    "defaultVariant", "off"),
            "reason", "test"));

    call("POST", "/api/v1/flags/null-free/enable", Map.of());
    JsonNode versions = call("GET", "/api/v1/flags/null-free/versions", null).body();
    JsonNode missing =
        call("POST", "/api/v1/flags/no-such-flag/evaluate", Map.of("context", Map.of())).body();
    JsonNode served =
        call("POST", "/api/v1/flags/null-free/evaluate", Map.of("context", Map.of())).body();

    assertThat(missing.path("reason").asText()).isEqualTo("ERROR");
    assertThat(missing.path("errorCode").asText()).isEqualTo("FLAG_NOT_FOUND");
    assertThat(missing.has("variant")).isFalse();
    assertThat(served.path("variant").asText()).isEqualTo("off");
    assertThat(served.has("errorCode")).isFalse();
    assertThat(served.has("message")).isFalse();
    assertThat(versions.path("versions").findValuesAsText("action")).contains("enable");
    assertThat(missing.has("value")).as("null: the caller's default applies").isTrue();
    assertThat(missing.toString().replace("\"value\":null", "")).doesNotContain(":null");
    for (JsonNode body : List.of(served, versions)) {
      assertThat(body.toString()).doesNotContain(":null");
    }
  }
}
