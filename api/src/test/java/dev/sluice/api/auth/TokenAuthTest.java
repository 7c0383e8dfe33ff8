package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With API tokens configured, every call needs one, and mutations are audited as its name, role and
 * address. The file's token without a role is an approver, the one with {@code admin: true} an
 * admin.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class TokenAuthTest {

  static final Path SECRET = secretFile("s3cr3t-ci-token");
  static final Path ADMIN_SECRET = secretFile("adm1n-token");

  static final DropwizardAppExtension<SluiceConfiguration> APP =
      ApiFixture.app(
          "api-auth-test.yml",
          ConfigOverride.config("auth.tokens[0].secretFile", SECRET.toString()),
          ConfigOverride.config("auth.tokens[1].secretFile", ADMIN_SECRET.toString()));

  static Path secretFile(String secret) {
    try {
      Path file = Files.createTempFile("token", ".txt");
      Files.writeString(file, secret + "\n");
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
            .header("Content-Type", "application/json")
            .header("X-Sluice-Actor", "mallory")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void onlyAnAdminTokenMayResetACircuitBreaker() throws Exception {
    String service =
        "{\"fleet\":[{\"id\":\"t1\",\"host\":\"127.0.0.1\",\"port\":9101}],"
            + "\"trafficRouter\":{\"type\":\"haproxy\",\"settings\":{\"socket\":\"/tmp/x\",\"backend\":\"b\"}},"
            + "\"deployer\":{\"type\":\"local-process\",\"settings\":{\"sampleAppJar\":\"/tmp/x.jar\"}}}";
    send("PUT", "/api/v1/services/breaker", "adm1n-token", service);

    HttpResponse<String> refused =
        send("POST", "/api/v1/services/breaker/circuit/reset", "s3cr3t-ci-token", null);
    HttpResponse<String> allowed =
        send("POST", "/api/v1/services/breaker/circuit/reset", "adm1n-token", null);

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body())
        .contains("needs role admin")
        .contains("token ci-pipeline has approver");
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/audit?subject=breaker", "adm1n-token", null).body())
        .contains("\"action\":\"circuit.reset\"")
        .contains("\"actor\":\"ops-admin\"");
  }

  /**
   * Found by ./bench/run fuzz: the document types these fields as strings, so a closed circuit's
   * {@code blockedUntil} and a configured token's {@code createdAt}, {@code createdBy}, {@code
   * revokedAt} and {@code revokedBy} are left out rather than sent as null.
   */
  @Test
  void aClosedCircuitAndConfiguredTokensLeaveOutTheFieldsThatHaveNoValue() throws Exception {
    String service =
        "{\"fleet\":[{\"id\":\"t1\",\"host\":\"127.0.0.1\",\"port\":9101}],"
            + "\"trafficRouter\":{\"type\":\"haproxy\",\"settings\":{\"socket\":\"/tmp/x\",\"backend\":\"b\"}},"
            + "\"deployer\":{\"type\":\"local-process\",\"settings\":{\"sampleAppJar\":\"/tmp/x.jar\"}}}";
    send("PUT", "/api/v1/services/null-free", "adm1n-token", service);

    HttpResponse<String> circuit =
        send("GET", "/api/v1/services/null-free/circuit", "adm1n-token", null);
    HttpResponse<String> reset =
        send("POST", "/api/v1/services/null-free/circuit/reset", "adm1n-token", null);
    HttpResponse<String> tokens = send("GET", "/api/v1/tokens", "adm1n-token", null);

    assertThat(circuit.body()).contains("\"open\":false").doesNotContain("blockedUntil");
    assertThat(reset.body()).contains("\"open\":false").doesNotContain("blockedUntil");
    assertThat(tokens.body()).contains("\"origin\":\"configuration\"").doesNotContain(":null");
  }

  /** The OpenAPI document is an API call like any GET: a token is needed, any token will do. */
  @Test
  void theOpenApiDocumentNeedsATokenLikeEveryGet() throws Exception {
    assertThat(send("GET", "/api/openapi.json", null, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/openapi.json", "s3cr3t-ci-token", null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void callsWithoutAValidTokenAre401() throws Exception {
    assertThat(send("GET", "/api/v1/services", null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> wrong = send("GET", "/api/v1/services", "guess", null);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("\"error\":\"unauthorized\"");
  }

  @Test
  void mutationsAreAuditedAsTheTokensNameNotAClaimedActor() throws Exception {
    String service =
        "{\"fleet\":[{\"id\":\"t1\",\"host\":\"127.0.0.1\",\"port\":9101}],"
            + "\"trafficRouter\":{\"type\":\"haproxy\",\"settings\":{\"socket\":\"/tmp/x\",\"backend\":\"b\"}},"
            + "\"deployer\":{\"type\":\"local-process\",\"settings\":{\"sampleAppJar\":\"/tmp/x.jar\"}}}";
    assertThat(send("PUT", "/api/v1/services/auth-demo", "adm1n-token", service).statusCode())
        .isEqualTo(201);

    String audit = send("GET", "/api/v1/audit?subject=auth-demo", "s3cr3t-ci-token", null).body();
    assertThat(audit)
        .contains("\"actor\":\"ops-admin\"")
        .contains("\"role\":\"admin\"")
        .contains("\"source\":\"127.0.0.1\"")
        .doesNotContain("mallory");
  }
}
