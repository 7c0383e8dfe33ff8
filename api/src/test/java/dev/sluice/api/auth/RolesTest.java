package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.cli.SluiceCli;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Roles as a CI job, a dashboard and people meet them over HTTP: one configured token of each role,
 * tokens made over {@code /api/v1/tokens} with a role and services, revoked at once.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RolesTest {

  static final Map<String, String> SECRETS =
      Map.of(
          "dashboards", "v1ewer-secret",
          "ci", "dep1oyer-secret",
          "release-manager", "appr0ver-secret",
          "platform", "adm1n-secret");
  static final List<String> NAMES = List.of("dashboards", "ci", "release-manager", "platform");

  static final DropwizardAppExtension<SluiceConfiguration> APP =
      ApiFixture.app(
          "api-roles-test.yml",
          NAMES.stream()
              .map(
                  n ->
                      ConfigOverride.config(
                          "auth.tokens[" + NAMES.indexOf(n) + "].secretFile",
                          TokenAuthTest.secretFile(SECRETS.get(n)).toString()))
              .toArray(ConfigOverride[]::new));

  static final ObjectMapper JSON = new ObjectMapper();

  record Answer(int status, JsonNode body) {}

  static Answer send(String method, String path, String secret, Object body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (secret != null) {
      request.header("Authorization", "Bearer " + secret);
    }
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(), response.body().isBlank() ? null : JSON.readTree(response.body()));
  }

  static String as(String name) {
    return SECRETS.get(name);
  }

  @BeforeAll
  static void services() throws Exception {
    for (String service : List.of("shop", "search")) {
      assertThat(
              send("PUT", "/api/v1/services/" + service, as("platform"), ApiFixture.service())
                  .status())
          .isEqualTo(201);
    }
  }

  static Map<String, Object> deploy(String service, String version) {
    return Map.of("service", service, "version", version);
  }

  @Test
  void eachRoleMayDoItsOwnAndTheOnesBeforeAndIsToldWhichRoleItLacks() throws Exception {
    assertThat(send("GET", "/api/v1/services", as("dashboards"), null).status()).isEqualTo(200);
    Answer viewerDeploys =
        send("POST", "/api/v1/deployments", as("dashboards"), deploy("shop", "2.0.0"));
    assertThat(viewerDeploys.status()).isEqualTo(403);
    assertThat(viewerDeploys.body().path("message").asText())
        .isEqualTo("POST /api/v1/deployments needs role deployer; token dashboards has viewer");

    Answer started = send("POST", "/api/v1/deployments", as("ci"), deploy("shop", "2.0.0"));
    assertThat(started.status()).isEqualTo(202);
    String id = started.body().path("id").asText();
    Answer deployerPromotes =
        send("POST", "/api/v1/deployments/" + id + "/promote", as("ci"), null);
    assertThat(deployerPromotes.status()).isEqualTo(403);
    assertThat(deployerPromotes.body().path("message").asText()).contains("needs role approver");
    assertThat(
            send("POST", "/api/v1/deployments/" + id + "/promote", as("release-manager"), null)
                .status())
        .as("an approver's promote reaches the deployment (no worker: pending, or refused)")
        .isIn(202, 409);

    Answer approverDefines =
        send("PUT", "/api/v1/services/shop", as("release-manager"), ApiFixture.service());
    assertThat(approverDefines.status()).isEqualTo(403);
    assertThat(approverDefines.body().path("message").asText()).contains("needs role admin");
    assertThat(
            send("POST", "/api/v1/analysis/judge", as("dashboards"), Map.of("metrics", List.of()))
                .status())
        .as("the judge is pure computation: a viewer may")
        .isNotEqualTo(403);

    JsonNode audit = send("GET", "/api/v1/audit?subject=" + id, as("dashboards"), null).body();
    assertThat(audit.toString()).contains("\"actor\":\"ci\"").contains("\"role\":\"deployer\"");
  }

  @Test
  void aTokenMadeOverTheApiWorksWithinItsServicesUntilRevoked() throws Exception {
    Answer refused =
        send(
            "POST", "/api/v1/tokens", as("release-manager"), Map.of("name", "x", "role", "viewer"));
    assertThat(refused.status()).as("only an admin makes tokens").isEqualTo(403);

    Answer made =
        send(
            "POST",
            "/api/v1/tokens",
            as("platform"),
            Map.of("name", "shop-ci", "role", "approver", "services", List.of("shop")));
    assertThat(made.status()).isEqualTo(201);
    String secret = made.body().path("secret").asText();
    assertThat(secret).startsWith("sluice_").hasSizeGreaterThan(40);
    assertThat(made.body().path("token").path("services").toString()).isEqualTo("[\"shop\"]");

    JsonNode listed = send("GET", "/api/v1/tokens", as("platform"), null).body();
    assertThat(listed.toString()).contains("shop-ci").contains("platform").doesNotContain(secret);

    Answer own = send("POST", "/api/v1/services/shop/rollback", secret, Map.of());
    assertThat(own.status()).as(own.toString()).isNotEqualTo(403).isNotEqualTo(401);
    Answer other = send("POST", "/api/v1/deployments", secret, deploy("search", "2.0.0"));
    assertThat(other.status()).isEqualTo(403);
    assertThat(other.body().path("message").asText())
        .isEqualTo("token shop-ci is limited to services [shop]; not search");
    Answer flag =
        send("POST", "/api/v1/flags/new-checkout/disable", secret, Map.of("reason", "incident"));
    assertThat(flag.status()).isEqualTo(403);
    assertThat(flag.body().path("message").asText()).contains("is not about one service");
    assertThat(send("GET", "/api/v1/deployments?service=search", secret, null).status())
        .as("a limited token still reads")
        .isEqualTo(200);

    Answer again =
        send("POST", "/api/v1/tokens", as("platform"), Map.of("name", "shop-ci", "role", "viewer"));
    assertThat(again.status()).isEqualTo(409);
    Answer bad =
        send("POST", "/api/v1/tokens", as("platform"), Map.of("name", "Bad Name", "role", "root"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("errors").toString()).contains("\"name\"").contains("\"role\"");

    assertThat(send("DELETE", "/api/v1/tokens/shop-ci", as("platform"), null).status())
        .isEqualTo(200);
    assertThat(send("GET", "/api/v1/services", secret, null).status())
        .as("a revoked token stops at once")
        .isEqualTo(401);
    assertThat(send("DELETE", "/api/v1/tokens/ci", as("platform"), null).status())
        .as("a configured token is revoked in the file")
        .isEqualTo(409);
    assertThat(send("GET", "/api/v1/audit?subject=shop-ci", as("platform"), null).body().toString())
        .contains("token.create")
        .contains("token.revoke");
  }

  record Cli(int code, String out, String err) {}

  static Cli sluice(String secret, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SluiceCli.run(
            args,
            new PrintWriter(out),
            new PrintWriter(err),
            Map.of("SLUICE_URL", "http://127.0.0.1:" + APP.getLocalPort(), "SLUICE_TOKEN", secret));
    return new Cli(code, out.toString(), err.toString());
  }

  @Test
  void theCliMakesListsAndRevokesTokens() throws Exception {
    Cli made =
        sluice(
            as("platform"),
            "token",
            "create",
            "--name",
            "search-ci",
            "--role",
            "deployer",
            "--service",
            "search");
    assertThat(made.code()).as(made.err()).isZero();
    String secret = made.out().lines().findFirst().orElseThrow();
    assertThat(secret).startsWith("sluice_");
    assertThat(made.err()).contains("shown this once");
    assertThat(send("POST", "/api/v1/deployments", secret, deploy("search", "3.0.0")).status())
        .isEqualTo(202);

    Cli listed = sluice(as("platform"), "token", "list");
    assertThat(listed.out())
        .containsPattern("search-ci +deployer +search +api")
        .containsPattern("ci +deployer +all +configuration")
        .doesNotContain(secret);

    Cli refused = sluice(as("ci"), "token", "revoke", "search-ci");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).startsWith("error: 403").contains("needs role admin");
    Cli revoked = sluice(as("platform"), "token", "revoke", "search-ci");
    assertThat(revoked.code()).as(revoked.err()).isZero();
    assertThat(send("GET", "/api/v1/services", secret, null).status()).isEqualTo(401);
  }

  @Test
  void metricsOnTheApplicationPortNeedATokenOfAnyRoleOnceTokensExist() throws Exception {
    Answer anonymous = rawGet("/metrics", null);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.body().path("message").asText()).contains("/prometheus");
    assertThat(rawGet("/metrics", as("dashboards")).status()).isEqualTo(200);
  }

  /** A GET whose answer may not be JSON (Prometheus' text); the body parsed only when it is. */
  static Answer rawGet(String path, String secret) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path)).GET();
    if (secret != null) {
      request.header("Authorization", "Bearer " + secret);
    }
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(),
        response.body().startsWith("{") ? JSON.readTree(response.body()) : null);
  }
}
