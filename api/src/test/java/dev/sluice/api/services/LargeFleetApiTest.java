package dev.sluice.api.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fleet of real size through the API: a service of 2,000 targets is stored and shown whole, and a
 * deployment of it, with its progress recorded as target groups record it, is listed and shown with
 * every target, each request well within a second or two.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class LargeFleetApiTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  static final int TARGETS = 2000;

  /** Generous for a CI machine: the point is that nothing grows out of hand with the fleet. */
  static final Duration FAST = Duration.ofSeconds(3);

  SluiceClient api;

  @BeforeEach
  void client() {
    api = new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
  }

  static Map<String, Object> service(int targets) {
    List<Map<String, Object>> fleet = new ArrayList<>();
    for (int i = 1; i <= targets; i++) {
      fleet.add(
          Map.of("id", "web-" + i, "host", "10.0." + (i / 250) + "." + (i % 250), "port", 8080));
    }
    Map<String, Object> service = new HashMap<>(ApiFixture.service());
    service.put("fleet", fleet);
    return service;
  }

  @Test
  void aServiceOfTwoThousandTargetsIsStoredAndShownWhole() {
    JsonNode created =
        fast(() -> api.put("/api/v1/services/fleet", service(TARGETS)).expect(201).body());
    assertThat(created.path("definition").path("fleet")).hasSize(TARGETS);

    fast(() -> api.put("/api/v1/services/fleet", service(TARGETS)).expect(200));
    JsonNode got = fast(() -> api.get("/api/v1/services/fleet").expect(200).body());
    assertThat(got.path("definition").path("fleet")).hasSize(TARGETS);
    assertThat(got.path("definition").path("fleet").get(TARGETS - 1).path("id").asText())
        .isEqualTo("web-" + TARGETS);

    JsonNode listed = fast(() -> api.get("/api/v1/services").expect(200).body());
    assertThat(listed.toString()).contains("\"fleet\"");
  }

  @Test
  void aDeploymentOfTwoThousandTargetsIsListedAndShownWithEveryTargetAsItsGroupsReport() {
    api.put("/api/v1/services/big", service(TARGETS)).expect(201);
    String id =
        fast(
            () ->
                api.post("/api/v1/deployments", Map.of("service", "big", "version", "2.0.0"))
                    .expect(202)
                    .body()
                    .path("id")
                    .asText());
    Ledger ledger =
        new Ledger(Jdbi.create(APP.getConfiguration().getDatabase().getUrl(), "sa", ""));
    List<TargetStatus> pending = new ArrayList<>();
    for (int i = 1; i <= TARGETS; i++) {
      pending.add(new TargetStatus("web-" + i, "1.0.0", "1.0.0", TargetState.PENDING, null));
    }
    // As the workflow records it: the whole fleet once, then each target group's targets under
    // the deployment's row, with the group's batch and the events it set aside numbers for.
    ledger.record(running(id, 1, pending, event(1, "deployment.started")));
    for (int group = 0; group < 20; group++) {
      List<TargetStatus> upgraded = new ArrayList<>();
      for (int i = group * 50 + 1; i <= group * 50 + 50; i++) {
        upgraded.add(new TargetStatus("web-" + i, "1.0.0", "2.0.0", TargetState.UPGRADED, null));
      }
      int base = 10 + group * 2_500;
      ledger.recordChild(
          new ChildEntry(
              id,
              "big",
              false,
              upgraded,
              List.of(event(base + 1, "batch.started"), event(base + 2, "target.upgraded")),
              Phase.DEPLOYING,
              2,
              null));
    }

    JsonNode shown = fast(() -> api.get("/api/v1/deployments/" + id).expect(200).body());
    assertThat(shown.path("targets")).hasSize(TARGETS);
    assertThat(shown.path("phase").asText()).isEqualTo("DEPLOYING");
    assertThat(shown.path("batch").path("current").asInt()).isEqualTo(2);
    long upgraded = 0;
    for (JsonNode t : shown.path("targets")) {
      upgraded += t.path("state").asText().equals("UPGRADED") ? 1 : 0;
    }
    assertThat(upgraded).isEqualTo(1000);
    assertThat(shown.path("events")).hasSizeGreaterThan(40);

    JsonNode list = fast(() -> api.get("/api/v1/deployments?service=big").expect(200).body());
    assertThat(list.path("deployments"))
        .singleElement()
        .satisfies(d -> assertThat(d.path("targets")).hasSize(TARGETS));
    JsonNode history = fast(() -> api.get("/api/v1/services/big/history").expect(200).body());
    assertThat(history).isNotNull();
  }

  private static LedgerEntry running(
      String id, int batch, List<TargetStatus> targets, DeploymentEvent... events) {
    return new LedgerEntry(
        id,
        "big",
        "2.0.0",
        "1.0.0",
        DeploymentState.RUNNING,
        Phase.DEPLOYING,
        batch,
        4,
        null,
        targets,
        List.of(events),
        null);
  }

  private static DeploymentEvent event(int seq, String type) {
    return new DeploymentEvent(seq, Instant.now(), type, null, type);
  }

  private static <T> T fast(Supplier<T> call) {
    long started = System.nanoTime();
    T answer = call.get();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAST);
    return answer;
  }
}
