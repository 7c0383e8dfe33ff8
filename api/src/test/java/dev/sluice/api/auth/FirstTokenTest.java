package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An open installation (no tokens in the file) closes the moment its first token is made. */
@ExtendWith(DropwizardExtensionsSupport.class)
class FirstTokenTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  @Test
  void theFirstTokenMadeOverTheOpenApiClosesIt() throws Exception {
    SluiceClient open =
        new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
    open.get("/api/v1/services").expect(200);

    JsonNode made =
        open.post("/api/v1/tokens", Map.of("name", "platform", "role", "admin")).expect(201).body();

    assertThat(open.get("/api/v1/services").status()).as("no token now").isEqualTo(401);
    HttpResponse<String> withToken =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + APP.getLocalPort() + "/api/v1/tokens"))
                    .header("Authorization", "Bearer " + made.path("secret").asText())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(withToken.statusCode()).isEqualTo(200);
    assertThat(withToken.body()).contains("\"createdBy\":\"alice\"");
  }
}
