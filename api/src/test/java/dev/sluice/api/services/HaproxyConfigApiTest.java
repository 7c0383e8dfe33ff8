package dev.sluice.api.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.api.cli.HaproxyConfigCommand;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /api/v1/services/{name}/haproxy.cfg} and {@code sluice haproxy-config}, which prints
 * it, on the real application.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class HaproxyConfigApiTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private URI base() {
    return URI.create("http://127.0.0.1:" + APP.getLocalPort());
  }

  @Test
  void aServiceBehindHaproxyGetsItsStartingConfigAsTextAndTheCommandPrintsIt() throws Exception {
    new SluiceClient(base(), "alice")
        .put("/api/v1/services/shop", ApiFixture.service())
        .expect(201);

    HttpResponse<String> answer = get("/api/v1/services/shop/haproxy.cfg");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(answer.body())
        .contains("# Starting HAProxy config for service shop")
        .contains("    stats socket /tmp/none.sock mode 600 level admin\n")
        .contains("    default_backend app\n")
        .contains("    option httpchk GET /health\n")
        .contains("    server t1 127.0.0.1:9101\n")
        .contains("    server t2 127.0.0.1:9102\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(HaproxyConfigCommand.print("shop", base(), print(out), print(err))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(answer.body());
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void anUnknownServiceIsA404InJsonAndTheCommandSaysSo() throws Exception {
    HttpResponse<String> answer = get("/api/v1/services/nope/haproxy.cfg");

    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(new ObjectMapper().readTree(answer.body()).path("message").asText())
        .contains("nope");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(HaproxyConfigCommand.print("nope", base(), print(out), print(err))).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("haproxy-config nope")
        .contains("nope");
  }

  @Test
  void aServiceBehindAnotherRouterIsA422NamingTrafficRouterType() throws Exception {
    // The API accepts only router types it has; a ledger may hold another (an older or wider
    // registry), so the service is written there directly.
    new Ledger(Jdbi.create(APP.getConfiguration().getDatabase().getUrl(), "sa", ""))
        .putService(
            new ServiceDefinition(
                "edge",
                List.of(new Target("t1", "127.0.0.1", 9101, null)),
                new ProviderRef("nginx", Map.of()),
                new ProviderRef("local-process", Map.of("sampleAppJar", "/tmp/none.jar")),
                null,
                null,
                null),
            "test");

    HttpResponse<String> answer = get("/api/v1/services/edge/haproxy.cfg");

    assertThat(answer.statusCode()).isEqualTo(422);
    JsonNode error = new ObjectMapper().readTree(answer.body());
    assertThat(error.path("field").asText()).isEqualTo("trafficRouter.type");
    assertThat(error.path("message").asText()).contains("nginx").contains("haproxy");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(base().resolve(path)).header("Accept", "text/plain").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
