package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A control sent while no worker runs: Temporal holds it for the next worker, so the API answers
 * 202 "pending" with the control's id (not a 503 a CI client would read as "did not happen"), and
 * the control's outcome can be asked for later.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class PendingControlTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  @Test
  void aControlNoWorkerTookIsAcceptedAsPendingWithAnIdToAskAbout() {
    SluiceClient api =
        new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
    api.put("/api/v1/services/pend", ApiFixture.service()).expect(201);
    String id =
        api.post("/api/v1/deployments", Map.of("service", "pend", "version", "2.0.0"))
            .expect(202)
            .body()
            .path("id")
            .asText();

    JsonNode pending =
        api.post("/api/v1/deployments/" + id + "/pause", Map.of("reason", "graphs"))
            .expect(202)
            .body();

    assertThat(pending.path("outcome").asText()).isEqualTo("pending");
    assertThat(pending.path("message").asText())
        .contains("is a worker running?")
        .contains("/controls/" + pending.path("controlId").asText());
    String controlId = pending.path("controlId").asText();
    assertThat(controlId).startsWith("ctl-");

    JsonNode asked =
        api.get("/api/v1/deployments/" + id + "/controls/" + controlId).expect(200).body();
    assertThat(asked.path("outcome").asText()).isEqualTo("pending");
    assertThat(api.get("/api/v1/audit?subject=" + id).expect(200).body().toString())
        .contains("pending")
        .contains(controlId);
  }
}
