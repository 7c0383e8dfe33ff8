package dev.sluice.api.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.NoOpProvider;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import dev.openfeature.sdk.Value;
import dev.sluice.api.ApiFixtureAccess;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.flags.openfeature.SluiceProvider;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenFeature provider against the real API: it evaluates locally exactly as {@code POST
 * /api/v1/flags/{key}/evaluate} does, and sees a kill switch over REST as a configuration change.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class OpenFeatureProviderTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixtureAccess.app();
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final String domain = "sluice-e2e-" + UUID.randomUUID();
  SluiceProvider provider;

  @AfterEach
  void tearDown() {
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, new NoOpProvider());
    if (provider != null) {
      provider.shutdown();
    }
  }

  static JsonNode call(String method, String path, Object body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", "application/json")
                .header("X-Sluice-Actor", "alice")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path).isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  static String base() {
    return "http://127.0.0.1:" + APP.getLocalPort();
  }

  /** Internal users get beta, Benelux users new, everyone else a 25/75 split of new/old. */
  static Map<String, Object> layout() {
    return Map.of(
        "state",
        "ENABLED",
        "variants",
        Map.of("new", "new", "old", "old", "beta", "beta"),
        "defaultVariant",
        "old",
        "targeting",
        Map.of(
            "if",
            List.of(
                Map.of("ends_with", List.of(Map.of("var", "email"), "@example.com")),
                "beta",
                Map.of("in", List.of(Map.of("var", "user.country"), List.of("NL", "BE"))),
                "new",
                Map.of("fractional", List.of(List.of("new", 25), List.of("old", 75))))));
  }

  static List<Map<String, Object>> contexts() {
    List<Map<String, Object>> contexts = new ArrayList<>();
    contexts.add(Map.of("targetingKey", "u-1", "email", "kim@example.com"));
    contexts.add(Map.of("targetingKey", "u-2", "user", Map.of("country", "NL", "age", 41)));
    contexts.add(
        Map.of("targetingKey", "u-3", "user", Map.of("country", "FR"), "tags", List.of("a")));
    for (int i = 4; i < 24; i++) {
      contexts.add(Map.of("targetingKey", "u-" + i, "email", "u" + i + "@elsewhere.org"));
    }
    contexts.add(Map.of());
    return contexts;
  }

  static MutableContext openFeature(Map<String, Object> context) {
    Map<String, Value> attributes = new HashMap<>();
    context.forEach((k, v) -> attributes.put(k, Value.objectToValue(v)));
    return new MutableContext((String) context.get("targetingKey"), attributes);
  }

  /** Asserts the client answers every context as the REST evaluation does. */
  static void assertSameAsRest(Client client, String key) throws Exception {
    for (Map<String, Object> context : contexts()) {
      JsonNode rest =
          call("POST", "/api/v1/flags/" + key + "/evaluate", Map.of("context", context));
      FlagEvaluationDetails<String> local =
          client.getStringDetails(key, "code-default", openFeature(context));

      String expected = rest.path("value").isNull() ? "code-default" : rest.path("value").asText();
      assertThat(local.getValue()).as("value for %s", context).isEqualTo(expected);
      assertThat(local.getVariant())
          .as("variant for %s", context)
          .isEqualTo(rest.hasNonNull("variant") ? rest.path("variant").asText() : null);
      assertThat(local.getReason())
          .as("reason for %s", context)
          .isEqualTo(rest.path("reason").asText());
      assertThat(local.getErrorCode()).as("error for %s", context).isNull();
    }
  }

  @Test
  void theProviderEvaluatesAsTheApiAndSeesAKillSwitch() throws Exception {
    call(
        "POST",
        "/api/v1/flags",
        Map.of("key", "page-layout", "type", "release", "definition", layout()));
    provider =
        SluiceProvider.builder(base())
            .initTimeout(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(200))
            .longPollTimeout(Duration.ofSeconds(10))
            .build();
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, provider);
    Client client = OpenFeatureAPI.getInstance().getClient(domain);
    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    BlockingQueue<EventDetails> changes = new LinkedBlockingQueue<>();
    client.onProviderConfigurationChanged(changes::add);

    assertSameAsRest(client, "page-layout");
    assertThat(
            client.getStringDetails("page-layout", "x", openFeature(contexts().get(0))).getReason())
        .isEqualTo("TARGETING_MATCH");

    call("POST", "/api/v1/flags/page-layout/disable", Map.of("reason", "incident 7"));
    EventDetails changed = changes.poll(30, TimeUnit.SECONDS);

    assertThat(changed).as("CONFIGURATION_CHANGED after the kill switch").isNotNull();
    assertThat(changed.getFlagsChanged()).containsExactly("page-layout");
    assertSameAsRest(client, "page-layout");
    FlagEvaluationDetails<String> killed =
        client.getStringDetails("page-layout", "code-default", openFeature(contexts().get(0)));
    assertThat(killed.getReason()).isEqualTo("DISABLED");
    assertThat(killed.getValue()).isEqualTo("code-default");
  }
}
