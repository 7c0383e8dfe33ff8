package dev.sluice.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.worker.encryption.AesGcmPayloadCodec;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.SearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With {@code temporal.encryption} on, a deployment run by the real application and its embedded
 * worker leaves nothing readable in Temporal but the search attributes (which the server must
 * index), and the codec endpoint gives the payloads back in clear to a token holder only.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class EncryptedHistoryTest {

  static final String SERVICE = "vault-keeper";
  static final String VERSION = "7.7.7-topsecret";
  static final String UI = "http://temporal-ui.example:8233";
  static final int TEMPORAL_PORT = freePort();
  static final ObjectMapper JSON = new ObjectMapper();

  static final DropwizardAppExtension<SluiceConfiguration> APP =
      ApiFixture.app(
          "api-encryption-test.yml",
          ConfigOverride.config("temporal.embeddedPort", "" + TEMPORAL_PORT),
          ConfigOverride.config("temporal.encryption.keys[0].file", keyFile()),
          ConfigOverride.config("temporal.encryption.keys[1].file", keyFile()),
          ConfigOverride.config("auth.tokens[0].secretFile", file("v1ewer-token")),
          ConfigOverride.config("auth.tokens[1].secretFile", file("adm1n-token")));

  static WorkflowServiceStubs stubs;

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String file(String content) {
    try {
      Path file = Files.createTempFile("sluice-secret", ".txt");
      Files.writeString(file, content + "\n");
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String keyFile() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return file(Base64.getEncoder().encodeToString(key));
  }

  @BeforeAll
  static void connect() {
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + TEMPORAL_PORT)
                .build());
  }

  @AfterAll
  static void disconnect() {
    stubs.shutdownNow();
  }

  HttpResponse<String> send(String method, String path, Map<String, String> headers, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> call(String method, String path, String token, Object body)
      throws Exception {
    return send(
        method,
        path,
        token == null
            ? Map.of("Content-Type", "application/json")
            : Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token),
        body == null ? null : JSON.writeValueAsString(body));
  }

  /** Every event of the workflow, as Temporal stores it: no codec between. */
  static List<HistoryEvent> rawHistory(String workflowId) {
    return stubs
        .blockingStub()
        .getWorkflowExecutionHistory(
            GetWorkflowExecutionHistoryRequest.newBuilder()
                .setNamespace("default")
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                .build())
        .getHistory()
        .getEventsList();
  }

  /** Every payload in {@code message} outside search attributes, which the server indexes. */
  static void payloads(Message message, List<Payload> found) {
    if (message instanceof Payload payload) {
      found.add(payload);
      return;
    }
    if (message instanceof SearchAttributes) {
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (field.getKey().isRepeated()) {
        for (Object item : (List<?>) field.getValue()) {
          payloads((Message) item, found);
        }
      } else {
        payloads((Message) field.getValue(), found);
      }
    }
  }

  /** The event without its search attributes, as bytes: what the test scans for plain text. */
  static String withoutSearchAttributes(HistoryEvent event) {
    HistoryEvent.Builder copy = event.toBuilder();
    if (copy.hasWorkflowExecutionStartedEventAttributes()) {
      copy.getWorkflowExecutionStartedEventAttributesBuilder().clearSearchAttributes();
    }
    if (copy.hasUpsertWorkflowSearchAttributesEventAttributes()) {
      copy.getUpsertWorkflowSearchAttributesEventAttributesBuilder().clearSearchAttributes();
    }
    return copy.build().toByteString().toString(StandardCharsets.ISO_8859_1);
  }

  static boolean versionMarker(HistoryEvent event) {
    return event.hasMarkerRecordedEventAttributes()
        && "Version".equals(event.getMarkerRecordedEventAttributes().getMarkerName());
  }

  /**
   * The SDK's own fields of a local activity's marker (its id, type, time and retry metadata) are
   * written without the codec, so replay can read them: Sluice's activity names and SDK numbers,
   * never a user's data. What the activity was given or returned (input, result) and its failure
   * stay in: those must be ciphertext.
   */
  static HistoryEvent withoutLocalActivityBookkeeping(HistoryEvent event) {
    if (!event.hasMarkerRecordedEventAttributes()
        || !"LocalActivity".equals(event.getMarkerRecordedEventAttributes().getMarkerName())) {
      return event;
    }
    HistoryEvent.Builder copy = event.toBuilder();
    for (String key : List.of("activityId", "type", "time", "meta")) {
      copy.getMarkerRecordedEventAttributesBuilder().removeDetails(key);
    }
    return copy.build();
  }

  static Map<String, Object> wire(Payload payload) {
    Map<String, String> metadata = new TreeMap<>();
    payload
        .getMetadataMap()
        .forEach((k, v) -> metadata.put(k, Base64.getEncoder().encodeToString(v.toByteArray())));
    return Map.of(
        "metadata",
        metadata,
        "data",
        Base64.getEncoder().encodeToString(payload.getData().toByteArray()));
  }

  @Test
  void aDeploymentsHistoryHoldsOnlyCiphertextAndTheCodecReadsItForATokenHolder() throws Exception {
    call("PUT", "/api/v1/services/" + SERVICE, "adm1n-token", ApiFixture.service()).statusCode();
    HttpResponse<String> started =
        call(
            "POST",
            "/api/v1/deployments",
            "adm1n-token",
            Map.of("service", SERVICE, "version", VERSION));
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String id = JSON.readTree(started.body()).path("id").asText();

    // The worker runs it until HAProxy's socket (there is none) fails it: inputs, results and
    // failures of activities all land in history. The API reads its state back through the codec.
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                rawHistory(id).stream().anyMatch(e -> e.hasActivityTaskCompletedEventAttributes())
                    && rawHistory(id).stream()
                        .anyMatch(
                            e ->
                                e.hasActivityTaskFailedEventAttributes()
                                    || e.hasWorkflowExecutionCompletedEventAttributes()
                                    || e.hasWorkflowExecutionFailedEventAttributes()));
    HttpResponse<String> read = call("GET", "/api/v1/deployments/" + id, "v1ewer-token", null);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(read.body()).path("version").asText()).isEqualTo(VERSION);

    List<HistoryEvent> history = rawHistory(id);
    List<Payload> payloads = new ArrayList<>();
    List<String> plainPayloads = new ArrayList<>();
    for (HistoryEvent event : history) {
      List<Payload> ofEvent = new ArrayList<>();
      payloads(withoutLocalActivityBookkeeping(event), ofEvent);
      if (versionMarker(event)) {
        // Workflow.getVersion's markers are written by the SDK without the codec, so replay can
        // read them: they hold a change id of Sluice's code and a number, never a user's data.
        assertThat(event.getMarkerRecordedEventAttributes().getDetailsMap())
            .containsOnlyKeys("changeId", "version");
        continue;
      }
      payloads.addAll(ofEvent);
      ofEvent.stream()
          .filter(p -> !AesGcmPayloadCodec.encrypted(p))
          .forEach(p -> plainPayloads.add(event.getEventType() + ": " + p.getMetadataMap()));
      assertThat(withoutSearchAttributes(event))
          .as("event %s %s", event.getEventId(), event.getEventType())
          .doesNotContain(SERVICE)
          .doesNotContain(VERSION)
          .doesNotContain("none.sock");
    }
    assertThat(payloads).hasSizeGreaterThan(3);
    assertThat(plainPayloads).as("payloads not encrypted").isEmpty();

    Payload input =
        history.get(0).getWorkflowExecutionStartedEventAttributes().getInput().getPayloads(0);
    Map<String, Object> body = Map.of("payloads", List.of(wire(input)));
    HttpResponse<String> decoded = call("POST", "/api/v1/codec/decode", "v1ewer-token", body);
    assertThat(decoded.statusCode()).as(decoded.body()).isEqualTo(200);
    JsonNode plain = JSON.readTree(decoded.body()).path("payloads").path(0);
    assertThat(
            new String(
                Base64.getDecoder().decode(plain.path("metadata").path("encoding").asText())))
        .isEqualTo("json/plain");
    assertThat(new String(Base64.getDecoder().decode(plain.path("data").asText())))
        .contains(SERVICE)
        .contains(VERSION);

    assertThat(call("POST", "/api/v1/codec/decode", null, body).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/api/v1/codec/decode", "wrong-token", body).statusCode())
        .isEqualTo(401);
  }

  @Test
  void encodeThenDecodeIsTheIdentityAndPlainPayloadsPassThrough() throws Exception {
    Map<String, Object> plain =
        Map.of(
            "metadata",
            Map.of("encoding", Base64.getEncoder().encodeToString("json/plain".getBytes())),
            "data",
            Base64.getEncoder().encodeToString("{\"actor\":\"alice\"}".getBytes()));

    HttpResponse<String> encoded =
        call("POST", "/api/v1/codec/encode", "v1ewer-token", Map.of("payloads", List.of(plain)));
    JsonNode sealed = JSON.readTree(encoded.body()).path("payloads");
    HttpResponse<String> decoded =
        call("POST", "/api/v1/codec/decode", "v1ewer-token", Map.of("payloads", sealed));
    HttpResponse<String> passed =
        call("POST", "/api/v1/codec/decode", "v1ewer-token", Map.of("payloads", List.of(plain)));

    assertThat(encoded.statusCode()).isEqualTo(200);
    assertThat(sealed.path(0).path("metadata").path("encryption-key-id").asText())
        .isEqualTo(Base64.getEncoder().encodeToString("k2".getBytes()));
    assertThat(JSON.readTree(decoded.body()).path("payloads").path(0))
        .isEqualTo(JSON.valueToTree(plain));
    assertThat(JSON.readTree(passed.body()).path("payloads").path(0))
        .isEqualTo(JSON.valueToTree(plain));
  }

  @Test
  void aPayloadUnderAnUnknownKeyOrNotBase64IsRefusedNamingIt() throws Exception {
    Map<String, Object> unknownKey =
        wire(
            Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8(AesGcmPayloadCodec.ENCODING))
                .putMetadata(AesGcmPayloadCodec.KEY_ID, ByteString.copyFromUtf8("k0"))
                .setData(ByteString.copyFrom(new byte[40]))
                .build());

    HttpResponse<String> unknown =
        call(
            "POST",
            "/api/v1/codec/decode",
            "v1ewer-token",
            Map.of("payloads", List.of(Map.of("data", "AA=="), unknownKey)));
    HttpResponse<String> notBase64 =
        call(
            "POST",
            "/api/v1/codec/decode",
            "v1ewer-token",
            Map.of("payloads", List.of(Map.of("data", "not base64!"))));
    HttpResponse<String> otherNamespace =
        send(
            "POST",
            "/api/v1/codec/decode",
            Map.of(
                "Content-Type",
                "application/json",
                "Authorization",
                "Bearer v1ewer-token",
                "X-Namespace",
                "payments"),
            "{\"payloads\":[]}");

    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(unknown.body()).contains("payloads[1]").contains("key k0").contains("k1, k2");
    assertThat(notBase64.statusCode()).isEqualTo(400);
    assertThat(notBase64.body()).contains("payloads[0].data");
    assertThat(otherNamespace.statusCode()).isEqualTo(400);
    assertThat(otherNamespace.body()).contains("X-Namespace");
  }

  @Test
  void aTokenTradedForASessionCookieReadsTheCodecFromTheBrowserAndNothingElse() throws Exception {
    HttpResponse<String> session = call("POST", "/api/v1/codec/session", "v1ewer-token", null);

    assertThat(session.statusCode()).isEqualTo(204);
    String setCookie = session.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .startsWith(CodecSession.COOKIE + "=")
        .contains("Path=/api/v1/codec")
        .containsIgnoringCase("HttpOnly")
        .containsIgnoringCase("SameSite=Strict")
        .doesNotContain("v1ewer-token");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String body = "{\"payloads\":[]}";
    Map<String, String> fromTheUi =
        Map.of("Origin", UI, "Content-Type", "application/json", "Cookie", cookie);

    HttpResponse<String> decoded = send("POST", "/api/v1/codec/decode", fromTheUi, body);
    assertThat(decoded.statusCode()).as(decoded.body()).isEqualTo(200);
    assertThat(decoded.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(decoded.headers().firstValue("Access-Control-Allow-Origin")).hasValue(UI);
    // The cookie opens the codec's routes only: everywhere else a token is still needed.
    assertThat(send("GET", "/api/v1/deployments", Map.of("Cookie", cookie), null).statusCode())
        .isEqualTo(401);
    // A cookie with a token that is not one is no session.
    String forged = CodecSession.COOKIE + "=" + "d3JvbmctdG9rZW4";
    assertThat(
            send(
                    "POST",
                    "/api/v1/codec/decode",
                    Map.of("Content-Type", "application/json", "Cookie", forged),
                    body)
                .statusCode())
        .isEqualTo(401);
    HttpResponse<String> closed = call("DELETE", "/api/v1/codec/session", "v1ewer-token", null);
    assertThat(closed.statusCode()).isEqualTo(204);
    assertThat(closed.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
  }

  @Test
  void theUisPreflightIsAnsweredWithoutATokenAndOtherOriginsAreNot() throws Exception {
    HttpResponse<String> preflight =
        send(
            "OPTIONS",
            "/api/v1/codec/decode",
            Map.of(
                "Origin",
                UI,
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "authorization,content-type,x-namespace"),
            null);
    HttpResponse<String> stranger =
        send(
            "OPTIONS",
            "/api/v1/codec/decode",
            Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "POST"),
            null);
    HttpResponse<String> unauthorized =
        send(
            "POST",
            "/api/v1/codec/decode",
            Map.of("Origin", UI, "Content-Type", "application/json"),
            "{\"payloads\":[]}");

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(UI);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("Authorization")
        .contains("Content-Type")
        .contains("X-Namespace");
    assertThat(stranger.statusCode()).isEqualTo(403);
    assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(unauthorized.headers().firstValue("Access-Control-Allow-Origin"))
        .as("the UI can read why")
        .hasValue(UI);
  }
}
