package dev.sluice.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.ApiFixtureAccess;
import dev.sluice.api.SluiceConfiguration;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /api/openapi.json} is generated from the registered resources, describes every one of
 * them, and is what {@code docs/openapi.json} holds.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class OpenApiTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixtureAccess.app();

  /** The checked-in copy; surefire runs in the module's directory. */
  static final Path CHECKED_IN =
      Path.of(System.getProperty("sluice.home", "..")).resolve("docs/openapi.json");

  static final String REGENERATE =
      "./mvnw -B -o -q -pl api -am test -Dtest=OpenApiTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Dsluice.openapi.write=true";

  static final ObjectMapper JSON = new ObjectMapper();

  HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  JsonNode document() throws Exception {
    HttpResponse<String> response = get("/api/openapi.json");
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** {@code VERB /path} of every operation the document describes. */
  static Set<String> operations(JsonNode document) {
    Set<String> operations = new TreeSet<>();
    for (var path : document.path("paths").properties()) {
      for (var verb : path.getValue().properties()) {
        operations.add(verb.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }
    return operations;
  }

  @Test
  void servedDocumentIsTheCheckedInOne() throws Exception {
    HttpResponse<String> response = get("/api/openapi.json");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String served = response.body();
    if (Boolean.getBoolean("sluice.openapi.write")) {
      Files.writeString(CHECKED_IN, served);
    }
    String checkedIn = Files.exists(CHECKED_IN) ? Files.readString(CHECKED_IN) : "";
    assertThat(served)
        .as(
            "docs/openapi.json differs from what GET /api/openapi.json serves; regenerate it with "
                + REGENERATE)
        .isEqualTo(checkedIn);
  }

  @Test
  void everyRegisteredResourceMethodIsInTheDocument() throws Exception {
    Set<String> registered = new TreeSet<>();
    for (Class<?> resource :
        OpenApiDocument.resources(APP.getEnvironment().jersey().getResourceConfig())) {
      Deque<Resource> todo = new ArrayDeque<>();
      todo.add(Resource.from(resource));
      while (!todo.isEmpty()) {
        Resource r = todo.pop();
        for (ResourceMethod m : r.getResourceMethods()) {
          registered.add(m.getHttpMethod() + " " + template(r));
        }
        todo.addAll(r.getChildResources());
      }
    }

    assertThat(registered).hasSizeGreaterThan(40).contains("GET /api/openapi.json");
    assertThat(operations(document())).isEqualTo(registered);
  }

  /** Found by ./bench/run fuzz: the codec session answers 204, and the document said 200. */
  @Test
  void theCodecSessionsAnswerIsDocumentedAsNoContent() throws Exception {
    JsonNode session = document().path("paths").path("/api/v1/codec/session");
    for (String verb : List.of("POST", "DELETE")) {
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + APP.getLocalPort() + "/api/v1/codec/session"))
                      .method(verb, HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      JsonNode responses = session.path(verb.toLowerCase(Locale.ROOT)).path("responses");

      assertThat(answer.statusCode()).as(verb).isEqualTo(204);
      assertThat(responses.has("204")).as(verb + " documents 204").isTrue();
      assertThat(responses.has("200")).as(verb + " documents no 200").isFalse();
    }
  }

  @Test
  void everyOperationHasALineInTheTableAndNoLineIsStale() throws Exception {
    assertThat(Operations.keys()).isEqualTo(operations(document()));
  }

  @Test
  void bodiesAreTheirRecordsWithTheirTypes() throws Exception {
    JsonNode schemas = document().path("components").path("schemas");

    JsonNode deployment = schemas.path("DeploymentView").path("properties");
    assertThat(deployment.path("createdAt").path("format").asText()).isEqualTo("date-time");
    assertThat(deployment.path("trafficWeight").path("type").asText()).isEqualTo("integer");
    assertThat(deployment.path("targets").path("items").path("$ref").asText())
        .isEqualTo("#/components/schemas/DeploymentView.TargetView");
    assertThat(schemas.path("SchemaMigrationWorkflow.Status").path("properties").path("phase"))
        .isEqualTo(
            JSON.readTree(
                "{\"type\":\"string\",\"enum\":[\"CHECKING\",\"EXPANDING\",\"BACKFILLING\","
                    + "\"VERIFYING\",\"WAITING\",\"CONTRACTING\",\"COMPLETED\",\"ROLLING_BACK\","
                    + "\"ROLLED_BACK\",\"FAILED\"]}"));
    // A count or a percentage: no type, so both 2 and "25%" fit.
    assertThat(
            schemas
                .path("ServiceSpec.RollingSpec")
                .path("properties")
                .path("batchSize")
                .has("type"))
        .isFalse();
    // Two records of one simple name are two schemas, not one replacing the other.
    assertThat(schemas.has("FlagRolloutWorkflow.Status")).isTrue();
    assertThat(schemas.has("DualWriteMigrationWorkflow.Status")).isTrue();
    assertThat(schemas.path("ErrorBody").path("properties").properties())
        .extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("code", "error", "message", "field", "errors", "details");
  }

  @Test
  void errorsAreErrorBodiesAndEachOperationListsItsOwn() throws Exception {
    JsonNode document = document();
    assertThat(
            document
                .at("/components/responses/Error409/content/application~1json/schema/$ref")
                .asText())
        .isEqualTo("#/components/schemas/ErrorBody");
    JsonNode create = document.at("/paths/~1api~1v1~1deployments/post/responses");
    assertThat(create.fieldNames())
        .toIterable()
        .containsExactly("202", "400", "401", "403", "409", "413", "422", "500", "503");
    assertThat(create.path("409").path("$ref").asText())
        .isEqualTo("#/components/responses/Error409");
    assertThat(
            document
                .at("/paths/~1api~1v1~1services~1{name}~1circuit~1reset/post/responses")
                .has("403"))
        .isTrue();
    assertThat(document.at("/components/securitySchemes/bearer/scheme").asText())
        .isEqualTo("bearer");
  }

  /** What the document says an operation answers is what the running API answers. */
  @Test
  void documentedErrorsAreWhatTheApiAnswers() throws Exception {
    JsonNode document = document();
    assertThat(get("/api/v1/services/none").statusCode()).isEqualTo(404);
    assertThat(document.at("/paths/~1api~1v1~1services~1{name}/get/responses").has("404")).isTrue();
    assertThat(get("/api/v1/deployments?limit=abc").statusCode()).isEqualTo(400);
    assertThat(document.at("/paths/~1api~1v1~1deployments/get/responses").has("400")).isTrue();
    assertThat(get("/api/v1/flags/none/versions").statusCode()).isEqualTo(404);
    assertThat(document.at("/paths/~1api~1v1~1flags~1{key}~1versions/get/responses").has("404"))
        .isTrue();
  }

  /** A resource's full path with the regular expressions of its parameters left out. */
  private static String template(Resource resource) {
    String path = "";
    for (Resource r = resource; r != null; r = r.getParent()) {
      String segment = r.getPath().startsWith("/") ? r.getPath() : "/" + r.getPath();
      path = segment.replaceAll("/+$", "") + path;
    }
    path = path.replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}");
    return path.isEmpty() ? "/" : path;
  }
}
