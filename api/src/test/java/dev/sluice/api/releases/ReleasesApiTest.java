package dev.sluice.api.releases;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /api/v1/releases} on the real application without a worker: what a release refuses before
 * anything starts, and that an accepted release holds its service from the first moment.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ReleasesApiTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  SluiceClient api;

  @BeforeEach
  void client() {
    api = new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
  }

  static Map<String, Object> rename() {
    return Map.of(
        "name",
        "phone_rename",
        "datasource",
        "app",
        "operations",
        List.of(
            Map.of(
                "type",
                "rename_column",
                "table",
                "users",
                "column",
                "phone",
                "to",
                "phone_number")));
  }

  @Test
  void aBadReleaseIsRefusedNamingTheFieldUnderItsStageAndNothingStarts() {
    api.put("/api/v1/services/rel-shop", ApiFixture.service()).expect(201);
    api.post(
            "/api/v1/flags",
            Map.of(
                "key",
                "rel-checkout",
                "type",
                "release",
                "owner",
                "team-checkout",
                "definition",
                Map.of(
                    "state",
                    "ENABLED",
                    "variants",
                    Map.of("on", true, "off", false),
                    "defaultVariant",
                    "off"),
                "reason",
                "launch"))
        .expect(201);
    Map<String, Object> deployment = Map.of("service", "rel-shop", "version", "2.0.0");

    assertField(api.post("/api/v1/releases", Map.of()).expect(400).body(), "deployment");
    assertField(
        api.post(
                "/api/v1/releases",
                Map.of("deployment", Map.of("service", "rel-shop", "version", "2.0 beta")))
            .expect(422)
            .body(),
        "deployment.version");
    assertField(
        api.post(
                "/api/v1/releases",
                Map.of("deployment", Map.of("service", "nowhere", "version", "2.0.0")))
            .expect(422)
            .body(),
        "deployment.service");
    assertField(
        api.post("/api/v1/releases", Map.of("deployment", deployment, "migration", rename()))
            .expect(400)
            .body(),
        "migration.datasource");
    Map<String, Object> badName = new HashMap<>(rename());
    badName.put("name", "Bad Name");
    assertField(
        api.post("/api/v1/releases", Map.of("deployment", deployment, "migration", badName))
            .expect(400)
            .body(),
        "migration.name");
    assertField(
        api.post(
                "/api/v1/releases",
                Map.of(
                    "deployment",
                    deployment,
                    "flagRollout",
                    Map.of("flag", "missing", "variant", "on")))
            .expect(422)
            .body(),
        "flagRollout.flag");
    assertField(
        api.post(
                "/api/v1/releases",
                Map.of(
                    "deployment",
                    deployment,
                    "flagRollout",
                    Map.of(
                        "flag",
                        "rel-checkout",
                        "variant",
                        "maybe",
                        "stages",
                        List.of(Map.of("percent", 101)))))
            .expect(400)
            .body(),
        "flagRollout.variant",
        "flagRollout.stages[0].percent");
    assertField(
        api.post(
                "/api/v1/releases",
                Map.of("deployment", deployment, "gate", Map.of("after", "soon")))
            .expect(400)
            .body(),
        "gate.after");
    assertField(
        api.post(
                "/api/v1/releases",
                Map.of(
                    "deployment", Map.of("service", "rel-shop", "version", "2.0.0", "colour", 1)))
            .expect(400)
            .body(),
        "deployment.colour");

    // Nothing was recorded, nothing holds the service.
    assertThat(
            api.get("/api/v1/deployments?service=rel-shop").expect(200).body().path("deployments"))
        .isEmpty();
    assertThat(api.get("/api/v1/audit?limit=500").expect(200).body().path("entries"))
        .noneSatisfy(
            e -> {
              assertThat(e.path("action").asText()).isEqualTo("release.start");
              assertThat(e.path("details").path("deployment").asText()).contains(" rel-shop ");
            });
  }

  @Test
  void anAcceptedReleaseHoldsItsServiceAtOnceAndItsDeploymentIsSteeredThroughTheRelease() {
    api.put("/api/v1/services/rel-busy", ApiFixture.service()).expect(201);

    JsonNode release =
        api.post(
                "/api/v1/releases",
                Map.of(
                    "deployment",
                    Map.of("service", "rel-busy", "version", "2.0.0"),
                    "reason",
                    "JIRA-42"))
            .expect(202)
            .body();
    String id = release.path("id").asText();
    String deploymentId = release.path("children").path("deployment").asText();
    assertThat(id).matches("rel-[0-9a-f]{12}");
    assertThat(release.path("stage").asText()).isEqualTo("DEPLOYMENT");
    assertThat(release.path("links").path("deployment").asText())
        .isEqualTo("/api/v1/deployments/" + deploymentId);

    // The deployment is recorded and holds the service, though its workflow has not started.
    JsonNode recorded = api.get("/api/v1/deployments/" + deploymentId).expect(200).body();
    assertThat(recorded.path("state").asText()).isEqualTo("PENDING");
    assertThat(recorded.path("links").path("release").asText()).isEqualTo("/api/v1/releases/" + id);
    assertThat(recorded.path("links").has("abort")).as("steered through its release").isFalse();
    JsonNode busy =
        api.post("/api/v1/deployments", Map.of("service", "rel-busy", "version", "2.0.1"))
            .expect(409)
            .body();
    assertThat(busy.path("details").path("deploymentId").asText()).isEqualTo(deploymentId);
    assertThat(busy.path("details").path("release").asText()).isEqualTo("/api/v1/releases/" + id);
    JsonNode steer =
        api.post("/api/v1/deployments/" + deploymentId + "/abort", null).expect(409).body();
    assertThat(steer.path("message").asText())
        .contains("is a stage of release " + id)
        .contains("POST /api/v1/releases/" + id);

    // No worker runs here: the status query goes unanswered (503, not a hung request), while a
    // control is a signal Temporal keeps for the next worker.
    JsonNode unanswered = api.get("/api/v1/releases/" + id).expect(503).body();
    assertThat(unanswered.path("message").asText()).contains("no worker answered");
    JsonNode sent =
        api.post("/api/v1/releases/" + id + "/promote", Map.of("reason", "pre-approved"))
            .expect(202)
            .body();
    assertThat(sent.path("message").asText()).contains("applies when a worker picks it up");

    JsonNode audit = api.get("/api/v1/audit?subject=" + id).expect(200).body();
    assertThat(audit.path("entries").findValuesAsText("action"))
        .containsExactly("release.promote", "release.start");
    assertThat(audit.path("entries").get(1).path("actor").asText()).isEqualTo("alice");
  }

  @Test
  void anIdempotencyKeyReplaysItsReleaseRefusesAnotherBodyAndOnlyReleaseIdsAreReleases() {
    api.put("/api/v1/services/rel-key", ApiFixture.service()).expect(201);
    Map<String, Object> body =
        Map.of("deployment", Map.of("service", "rel-key", "version", "2.0.0"));

    String first =
        api.post("/api/v1/releases", body, "ci-run-7").expect(202).body().path("id").asText();
    assertThat(first).matches("rel-[0-9a-f]{12}");
    JsonNode again = api.post("/api/v1/releases", body, "ci-run-7").expect(202).body();
    assertThat(again.path("id").asText()).as("the same key replays the release").isEqualTo(first);
    assertThat(again.path("stage").asText()).as("no worker runs to say more").isEqualTo("UNKNOWN");
    assertField(
        api.post(
                "/api/v1/releases",
                Map.of("deployment", Map.of("service", "rel-key", "version", "2.0.1")),
                "ci-run-7")
            .expect(422)
            .body(),
        "Idempotency-Key");
    assertField(
        api.post("/api/v1/releases", body, "two words").expect(400).body(), "Idempotency-Key");

    api.get("/api/v1/releases/rel-000000000000").expect(404);
    api.get("/api/v1/releases/" + first.replace("rel-", "dep-")).expect(404);
    api.post("/api/v1/releases/" + first + "/rewind", null).expect(404);
  }

  @Test
  void aStartedReleaseIsListedFromTheLedgerWithItsStateFromTemporalWithoutAWorker() {
    api.put("/api/v1/services/rel-list", ApiFixture.service()).expect(201);
    JsonNode started =
        api.post(
                "/api/v1/releases",
                Map.of("deployment", Map.of("service", "rel-list", "version", "2.0.0")))
            .expect(202)
            .body();
    String id = started.path("id").asText();

    JsonNode listed = null;
    for (JsonNode release :
        api.get("/api/v1/releases?limit=100").expect(200).body().path("releases")) {
      if (release.path("id").asText().equals(id)) {
        listed = release;
      }
    }

    assertThat(listed).as("listed").isNotNull();
    assertThat(listed.path("state").asText()).isEqualTo("RUNNING");
    assertThat(listed.path("deployment").asText()).endsWith(" rel-list 2.0.0");
    assertThat(listed.path("links").path("deployment").asText())
        .isEqualTo(started.path("links").path("deployment").asText());
    assertThat(listed.path("links").path("self").asText()).isEqualTo("/api/v1/releases/" + id);
  }

  private static void assertField(JsonNode error, String... fields) {
    assertThat(error.path("errors").findValuesAsText("field"))
        .as("%s", error)
        .containsExactlyInAnyOrder(fields);
  }
}
