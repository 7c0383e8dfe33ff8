package dev.sluice.api.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.api.errors.RawHttp.RawAnswer;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the API does with requests it must refuse before any resource runs: a value of the wrong
 * JSON type in any body. Every refusal is a JSON error body naming the field, and nothing is
 * recorded.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RequestHygieneTest {

  /** Small enough that a test body over it is quick to send; the default is 10 MiB. */
  static final int LIMIT = 64 * 1024;

  static final DropwizardAppExtension<SluiceConfiguration> APP =
      ApiFixture.app(ConfigOverride.config("limits.maxBodyBytes", String.valueOf(LIMIT)));

  static final ObjectMapper JSON = new ObjectMapper();

  static SluiceClient api;
  static String deploymentId;

  @BeforeAll
  static void aServiceWithADeployment() {
    api = new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
    api.put("/api/v1/services/tidy", ApiFixture.service()).expect(201);
    deploymentId =
        api.post("/api/v1/deployments", Map.of("service", "tidy", "version", "1.0.0"))
            .expect(202)
            .body()
            .path("id")
            .asText();
  }

  /** Method, path, body, and the field the 400 must name; no body here is coerced. */
  static Stream<Arguments> wronglyTypedBodies() {
    String fleet = "\"fleet\":[{\"id\":\"t1\",\"host\":\"127.0.0.1\",\"port\":%s}]";
    return Stream.of(
        Arguments.of(
            "POST", "/api/v1/deployments", "{\"service\":\"tidy\",\"version\":2}", "version"),
        Arguments.of(
            "POST", "/api/v1/deployments", "{\"service\":\"tidy\",\"version\":true}", "version"),
        Arguments.of(
            "POST", "/api/v1/deployments", "{\"service\":\"tidy\",\"version\":2.5}", "version"),
        Arguments.of(
            "PUT",
            "/api/v1/services/coerced",
            "{" + fleet.formatted("\"9101\"") + "}",
            "fleet[0].port"),
        Arguments.of(
            "PUT",
            "/api/v1/services/coerced",
            "{" + fleet.formatted("9101.5") + "}",
            "fleet[0].port"),
        Arguments.of(
            "PUT",
            "/api/v1/services/coerced",
            "{" + fleet.formatted("\"\"") + "}",
            "fleet[0].port"),
        Arguments.of(
            "PUT",
            "/api/v1/services/coerced",
            "{" + fleet.formatted("true") + "}",
            "fleet[0].port"),
        Arguments.of(
            "PUT", "/api/v1/services/coerced", "{\"defaultStrategy\":7}", "defaultStrategy"),
        Arguments.of("POST", "/api/v1/deployments/{deployment}/pause", "{\"reason\":5}", "reason"),
        Arguments.of(
            "POST", "/api/v1/deployments/{deployment}/promote", "{\"full\":\"true\"}", "full"),
        Arguments.of("POST", "/api/v1/deployments/{deployment}/abort", "{\"full\":1}", "full"),
        Arguments.of("POST", "/api/v1/flags", "{\"key\":5,\"type\":\"ops\"}", "key"),
        Arguments.of(
            "POST",
            "/api/v1/flags",
            "{\"key\":\"typed\",\"type\":\"ops\",\"lifetimeDays\":\"30\"}",
            "lifetimeDays"),
        Arguments.of("POST", "/api/v1/flags/typed/rollout", "{\"percentage\":50.5}", "percentage"),
        Arguments.of(
            "POST",
            "/api/v1/migrations",
            "{\"name\":\"m\",\"datasource\":\"main\",\"backfill\":{\"batchSize\":\"1000\"}}",
            "backfill.batchSize"),
        Arguments.of(
            "POST",
            "/api/v1/migrations",
            "{\"name\":\"m\",\"datasource\":\"main\",\"backfill\":{\"pace\":{\"maxSlowdown\":\"2\"}}}",
            "backfill.pace.maxSlowdown"),
        Arguments.of(
            "POST", "/api/v1/migrations", "{\"name\":\"m\",\"datasource\":false}", "datasource"),
        Arguments.of(
            "POST",
            "/api/v1/releases",
            "{\"deployment\":{\"service\":\"tidy\",\"version\":3}}",
            "deployment.version"),
        Arguments.of("POST", "/api/v1/releases", "{\"gate\":{\"after\":7200}}", "gate.after"));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("wronglyTypedBodies")
  void aValueOfTheWrongJsonTypeIsA400NamingTheFieldAndNothingIsRecorded(
      String method, String path, String body, String field) {
    JsonNode auditBefore = api.get("/api/v1/audit?limit=1000").expect(200).body();
    JsonNode deploymentsBefore = api.get("/api/v1/deployments?limit=500").expect(200).body();

    String target = path.replace("{deployment}", deploymentId);
    JsonNode error =
        (method.equals("PUT") ? api.put(target, body) : api.post(target, body)).expect(400).body();

    assertThat(error.path("code").asInt()).isEqualTo(400);
    assertThat(error.path("error").asText()).isEqualTo("bad_request");
    assertThat(error.path("field").asText()).isEqualTo(field);
    assertThat(error.path("message").asText())
        .contains(field)
        .containsAnyOf("string", "whole number", "true or false")
        .doesNotContain("java.")
        .doesNotContain("CoercionConfig");
    assertThat(api.get("/api/v1/audit?limit=1000").expect(200).body()).isEqualTo(auditBefore);
    assertThat(api.get("/api/v1/deployments?limit=500").expect(200).body())
        .isEqualTo(deploymentsBefore);
    api.get("/api/v1/services/coerced").expect(404);
    api.get("/api/v1/flags/typed").expect(404);
  }

  /** Requests that Jetty or Jersey answer before any resource: port, raw request, status. */
  static Stream<Arguments> refusedBeforeAnyResource() {
    return Stream.of(
        Arguments.of("app", "GET /api/v1/services/..%2Fx HTTP/1.1\r\n", 400),
        Arguments.of("app", "GET /api/v1/services/%2e%2e/x HTTP/1.1\r\n", 400),
        Arguments.of("app", "GET /api/v1/services/a%00b HTTP/1.1\r\n", 400),
        Arguments.of(
            "app",
            "PUT /api/v1/services/plain HTTP/1.1\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 5\r\n\r\nhello",
            415),
        Arguments.of(
            "app",
            "PUT /api/v1/services/plain HTTP/1.1\r\nContent-Type: text/plain\r\n"
                + "Accept: text/html\r\nContent-Length: 5\r\n\r\nhello",
            415),
        Arguments.of(
            "app",
            "POST /api/v1/deployments HTTP/1.1\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 2\r\n\r\nv2",
            415),
        Arguments.of("app", "GET /nowhere HTTP/1.1\r\nAccept: text/html\r\n", 404),
        Arguments.of("app", "GET /api/v1/nowhere HTTP/1.1\r\n", 404),
        Arguments.of("app", "DELETE /api/v1/services HTTP/1.1\r\n", 405),
        Arguments.of("app", "GET /api/v1/services HTTP/1.1\r\nBad Header\r\n", 400),
        Arguments.of("admin", "GET /nowhere HTTP/1.1\r\nAccept: text/html\r\n", 404),
        Arguments.of("admin", "GET /..%2Fhealthcheck HTTP/1.1\r\n", 400));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("refusedBeforeAnyResource")
  void errorsThatJettyOrJerseyAnswerThemselvesAreJsonErrorBodies(
      String connector, String request, int status) throws IOException {
    int port = connector.equals("admin") ? APP.getAdminPort() : APP.getLocalPort();

    RawAnswer answer = RawHttp.send(port, request);

    assertThat(answer.status()).isEqualTo(status);
    assertThat(answer.header("content-type")).startsWith("application/json");
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.path("code").asInt()).isEqualTo(status);
    assertThat(body.path("error").asText()).matches("[a-z_]+");
    assertThat(body.path("message").asText()).isNotBlank().doesNotContain("<");
  }

  @Test
  void timestampsInResponsesAreIso8601Strings() {
    JsonNode deployment = api.get("/api/v1/deployments/" + deploymentId).expect(200).body();
    JsonNode audit = api.get("/api/v1/audit?subject=tidy").expect(200).body();

    for (JsonNode at :
        List.of(
            deployment.path("createdAt"),
            deployment.path("updatedAt"),
            audit.path("entries").get(0).path("at"))) {
      assertThat(at.isTextual()).as("%s is a string", at).isTrue();
      assertThat(Instant.parse(at.asText())).isBefore(Instant.now().plusSeconds(60));
    }
  }

  /** A service definition with {@code targets} targets, as a client would send it. */
  static String serviceWithFleet(int targets) throws IOException {
    Map<String, Object> service = new HashMap<>(ApiFixture.service());
    List<Map<String, Object>> fleet = new ArrayList<>();
    for (int i = 0; i < targets; i++) {
      fleet.add(Map.of("id", "t" + i, "host", "10.0." + i / 250 + "." + i % 250, "port", 9101));
    }
    service.put("fleet", fleet);
    return JSON.writeValueAsString(service);
  }

  @Test
  void theDefaultBodyLimitIsTenMibibytesWhichAServiceOfTenThousandTargetsFitsIn()
      throws IOException {
    long limit = new SluiceConfiguration().getLimits().getMaxBodyBytes();

    assertThat(limit).isEqualTo(10L * 1024 * 1024);
    assertThat((long) serviceWithFleet(10_000).getBytes(StandardCharsets.UTF_8).length)
        .isLessThan(limit);
  }

  @Test
  void aBodyUnderTheLimitIsServed() throws IOException {
    String body = serviceWithFleet(1000);
    assertThat(body.length()).isBetween(LIMIT / 2, LIMIT);

    api.put("/api/v1/services/big-but-fine", body).expect(201);
  }

  @Test
  void aBodyWhoseLengthIsOverTheLimitIsA413BeforeItIsRead() throws IOException {
    JsonNode auditBefore = api.get("/api/v1/audit?limit=1000").expect(200).body();
    String body = serviceWithFleet(2000);
    assertThat(body.length()).isGreaterThan(LIMIT);

    RawAnswer answer =
        RawHttp.send(
            APP.getLocalPort(),
            "PUT /api/v1/services/too-big HTTP/1.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);

    assertTooLarge(answer);
    assertThat(api.get("/api/v1/audit?limit=1000").expect(200).body()).isEqualTo(auditBefore);
    api.get("/api/v1/services/too-big").expect(404);
  }

  @Test
  void aChunkedBodyThatGrowsOverTheLimitIsA413() throws IOException {
    byte[] body = serviceWithFleet(2000).getBytes(StandardCharsets.UTF_8);

    RawAnswer answer =
        RawHttp.sendChunked(
            APP.getLocalPort(),
            "PUT /api/v1/services/too-big-chunked HTTP/1.1\r\n"
                + "Content-Type: application/json\r\n",
            body,
            4096);

    assertTooLarge(answer);
    api.get("/api/v1/services/too-big-chunked").expect(404);
  }

  @Test
  void aControlsBodyOverTheLimitIsA413Too() throws IOException {
    String body = "{\"reason\":\"" + "x".repeat(LIMIT) + "\"}";

    RawAnswer answer =
        RawHttp.sendChunked(
            APP.getLocalPort(),
            "POST /api/v1/deployments/"
                + deploymentId
                + "/pause HTTP/1.1\r\n"
                + "Content-Type: application/json\r\n",
            body.getBytes(StandardCharsets.UTF_8),
            8192);

    assertTooLarge(answer);
  }

  private static void assertTooLarge(RawAnswer answer) throws IOException {
    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.header("content-type")).startsWith("application/json");
    JsonNode error = JSON.readTree(answer.body());
    assertThat(error.path("code").asInt()).isEqualTo(413);
    assertThat(error.path("message").asText())
        .isEqualTo("request body too large (limit " + LIMIT + " bytes)");
  }

  /** Bodies inside the size limit that trip one of the JSON reader's own limits. */
  static Stream<Arguments> overTheReadersLimits() {
    return Stream.of(
        Arguments.of(
            "a number of 2,000 digits",
            "{\"service\":\"tidy\",\"version\":\"1\",\"canary\":{\"canaryCount\":"
                + "9".repeat(2000)
                + "}}"),
        Arguments.of(
            "lists nested 2,000 deep",
            "{\"service\":\"tidy\",\"version\":\"1\",\"canary\":{\"canaryCount\":"
                + "[".repeat(2000)
                + "]".repeat(2000)
                + "}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overTheReadersLimits")
  void aBodyOverTheJsonReadersLimitsIsA400InPlainWords(String what, String body) {
    JsonNode error = api.post("/api/v1/deployments", body).expect(400).body();

    assertThat(error.path("message").asText())
        .contains("exceeds the maximum allowed")
        .doesNotContain("StreamReadConstraints")
        .doesNotContain("`")
        .doesNotContainIgnoringCase("jackson");
  }

  @Test
  void aRefusedValueOfFiftyThousandCharactersComesBackCutShortNamingItsLength() {
    String huge = "v".repeat(50_000); // under this test's body limit

    JsonNode version =
        api.post("/api/v1/deployments", Map.of("service", "tidy", "version", huge))
            .expect(422)
            .body();
    JsonNode service =
        api.post("/api/v1/deployments", Map.of("service", huge, "version", "1.0.0"))
            .expect(422)
            .body();

    for (JsonNode error : List.of(version, service)) {
      assertThat(error.toString()).hasSizeLessThan(2_000).contains("(50000 characters)");
    }
  }

  /** Bodies that are wrong as a whole, with no field to name (found by ./bench/run fuzz). */
  static Stream<Arguments> wrongAsAWhole() {
    return Stream.of(
        Arguments.of("a JSON array", "[null, null]"),
        Arguments.of("a JSON string", "\"v2\""),
        Arguments.of("malformed JSON", "{\"service\": "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongAsAWhole")
  void aBodyWrongAsAWholeIsA400WhoseErrorsNameNoFieldRatherThanANullOne(String what, String body) {
    JsonNode error = api.post("/api/v1/deployments", body).expect(400).body();

    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.has("field")).isFalse();
    assertThat(error.path("errors")).hasSize(1);
    assertThat(error.path("errors").get(0).has("field")).isFalse();
    assertThat(error.path("errors").get(0).path("message").asText()).isNotBlank();
  }
}
