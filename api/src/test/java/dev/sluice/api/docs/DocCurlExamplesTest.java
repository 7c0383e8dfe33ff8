package dev.sluice.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.api.docs.DocPages.Block;
import dev.sluice.api.docs.DocPages.Page;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.glassfish.jersey.model.Parameter;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.uri.UriTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The curl examples of README.md and docs/*.md against the real application (embedded Temporal, H2,
 * no worker): each names a route of the resources {@code SluiceApplication} registers, its body is
 * read by the resource's own type with the application's JSON rules, and — run in page order, as a
 * reader would — it is answered without 400, 404, 405, 415, 422 or 500.
 *
 * <p>The rules, stated in docs/testing.md too:
 *
 * <ul>
 *   <li>{@code localhost:8080} is the application connector, {@code :8081} the admin one; headers
 *       are sent as written, and a {@code -d} without {@code Content-Type} sends curl's own {@code
 *       application/x-www-form-urlencoded}.
 *   <li>A placeholder id ({@code dep-…}, {@code rel-…}) is, in a GET, the last deployment an
 *       earlier example started; otherwise an id nobody created, so the answer must be the 404 that
 *       names it — route, action and body were accepted up to the lookup.
 *   <li>Each {@code POST /api/v1/deployments} gets a fresh copy of the service it names (as the
 *       docs last defined it; a blue-green one, the docs' blue-green definition), so one example's
 *       deployment in progress does not turn the next into a 409.
 *   <li>A 404 is acceptable only when it names an id no earlier example created (a migration of
 *       {@code app}, a release); a 409 only for a control, a rollback or a release's or migration's
 *       action, which depend on state the examples do not build (an ended deployment, an earlier
 *       version).
 *   <li>Not run: {@code POST /api/v1/tokens} (the first token would close the open API to the
 *       examples after it), {@code POST /api/v1/migrations} and {@code POST /api/v1/releases} —
 *       their workflows need a PostgreSQL database and a worker — only their route and body are
 *       checked.
 * </ul>
 *
 * <p>Every ```json block that is a whole service definition (top-level {@code trafficRouter} and
 * {@code fleet} or {@code fleetSource}) is PUT as a service too.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DocCurlExamplesTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  static final Set<String> NOT_RUN =
      Set.of(
          "POST /api/v1/migrations",
          "POST /api/v1/releases",
          // The first token closes the open API: every later example would answer 401.
          "POST /api/v1/tokens");

  private static final Pattern PLACEHOLDER = Pattern.compile("(dep|rel)-(…|\\.\\.\\.)");

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyCurlExampleNamesARegisteredRouteAndItsBodyReadsAsThatRoutesType() {
    List<Route> routes = routes();
    List<String> bad = new ArrayList<>();
    for (CurlExample curl : api(CurlExample.all())) {
      Optional<Route> route = route(routes, curl);
      if (route.isEmpty()) {
        bad.add(curl.where() + ": " + curl.request() + " is no route of the API");
        continue;
      }
      String problem = readsAs(route.get(), curl.body());
      if (problem != null) {
        bad.add(curl.where() + ": the body of " + curl.request() + " is refused: " + problem);
      }
    }
    assertThat(routes).hasSizeGreaterThan(30);
    assertThat(bad).isEmpty();
  }

  @Test
  void everyCurlExampleIsAnsweredWithoutAClientOrServerError() throws Exception {
    Run run = new Run();
    List<String> bad = new ArrayList<>();
    int sent = 0;
    for (CurlExample curl : api(CurlExample.all())) {
      if (NOT_RUN.contains(curl.method() + " " + curl.path())) {
        continue;
      }
      String problem = run.send(curl);
      sent++;
      if (problem != null) {
        bad.add(curl.where() + ": " + curl.request() + " answered " + problem);
      }
    }
    assertThat(sent).isGreaterThan(25);
    assertThat(bad).isEmpty();
  }

  @Test
  void everyServiceDefinitionBlockIsAccepted() throws Exception {
    Run run = new Run();
    List<String> bad = new ArrayList<>();
    int n = 0;
    for (Page page : DocPages.all()) {
      for (Block block : page.blocks()) {
        JsonNode definition = serviceDefinition(block);
        if (definition != null) {
          HttpResponse<String> answer =
              run.request("PUT", "/api/v1/services/docs-block-" + ++n, definition.toString());
          if (answer.statusCode() >= 300) {
            bad.add(
                block.where(0)
                    + ": PUT of this service definition answered "
                    + answer.statusCode()
                    + " "
                    + answer.body());
          }
        }
      }
    }
    assertThat(n).as("service definitions in ```json blocks").isGreaterThan(2);
    assertThat(bad).isEmpty();
  }

  // --- the examples, as sent

  /** Only the API's: not Prometheus', HAProxy's or the sample app's. */
  private static List<CurlExample> api(List<CurlExample> all) {
    return all.stream().filter(c -> c.port() == 8080 || c.port() == 8081).toList();
  }

  static JsonNode serviceDefinition(Block block) {
    if (!block.lang().equals("json")
        || DocJsonTest.elides(block.text())
        || block.text().strip().startsWith("\"")) {
      return null;
    }
    try {
      JsonNode node = DocJsonTest.STRICT.readTree(block.text());
      boolean isService =
          node.has("trafficRouter") && (node.has("fleet") || node.has("fleetSource"));
      return isService ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The state a reader builds by running the examples in order. */
  private final class Run {
    final Map<String, JsonNode> services = new HashMap<>();
    final Set<String> created = new HashSet<>();
    String lastDeployment;
    int copies;

    HttpResponse<String> request(String method, String path, String body) throws Exception {
      return send(
          method, APP.getLocalPort(), path, Map.of("Content-Type", "application/json"), body);
    }

    HttpResponse<String> send(
        String method, int port, String pathAndQuery, Map<String, String> headers, String body)
        throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      headers.forEach(request::header);
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Null when the answer is acceptable by the rules above, else the answer. */
    String send(CurlExample curl) throws Exception {
      ObjectMapper json = APP.getObjectMapper();
      String path = curl.path();
      String unknownId = null;
      var placeholder = PLACEHOLDER.matcher(path);
      if (placeholder.find()) {
        if (curl.method().equals("GET")
            && placeholder.group(1).equals("dep")
            && lastDeployment != null) {
          path = placeholder.replaceFirst(lastDeployment);
        } else {
          unknownId = placeholder.group(1) + "-docs-unknown";
          path = placeholder.replaceFirst(unknownId);
        }
      }
      String body = curl.body();
      if (curl.method().equals("PUT") && path.startsWith("/api/v1/services/")) {
        services.put(path.substring("/api/v1/services/".length()), json.readTree(body));
      }
      if (curl.method().equals("POST") && path.equals("/api/v1/deployments")) {
        body = onACopyOfItsService(json, (ObjectNode) json.readTree(body));
      }
      int port = curl.port() == 8081 ? APP.getAdminPort() : APP.getLocalPort();
      HttpResponse<String> answer =
          send(
              curl.method(),
              port,
              path + (curl.query() == null ? "" : "?" + curl.query()),
              curl.headers(),
              body);
      int status = answer.statusCode();
      if (status < 300) {
        remember(json, path, body, answer);
        return null;
      }
      String message = answer.body();
      if (status == 404) {
        for (String segment : path.split("/")) {
          if (!segment.isEmpty()
              && !created.contains(segment)
              && message.contains(segment)
              && (segment.equals(unknownId) || unknownId == null)
              && !segment.matches("api|v1|deployments|services|flags|migrations|releases")) {
            return null;
          }
        }
      }
      boolean stateful =
          path.matches(
              "/api/v1/(deployments/[^/]+|services/[^/]+|releases/[^/]+"
                  + "|migrations/[^/]+|dual-writes/[^/]+)/[a-z-]+");
      if (status == 409 && stateful) {
        return null;
      }
      return status + " " + answer.body();
    }

    private String onACopyOfItsService(ObjectMapper json, ObjectNode body) throws Exception {
      String service = body.path("service").asText();
      JsonNode definition =
          body.path("strategy").asText().equals("blue-green")
              ? blueGreenDefinition()
              : services.get(service);
      if (definition == null) {
        return body.toString();
      }
      String copy = service + "-docs-" + ++copies;
      HttpResponse<String> put =
          request("PUT", "/api/v1/services/" + copy, json.writeValueAsString(definition));
      assertThat(put.statusCode())
          .as("PUT of %s's copy %s: %s", service, copy, put.body())
          .isLessThan(300);
      body.put("service", copy);
      return body.toString();
    }

    private void remember(ObjectMapper json, String path, String body, HttpResponse<String> answer)
        throws IOException {
      for (String segment : path.split("/")) {
        created.add(segment);
      }
      if (path.equals("/api/v1/deployments")) {
        lastDeployment = json.readTree(answer.body()).path("id").asText();
        created.add(lastDeployment);
      }
      if (body != null && body.strip().startsWith("{") && path.equals("/api/v1/flags")) {
        created.add(json.readTree(body).path("key").asText());
      }
    }
  }

  /** The docs' blue-green service definition: the ```json one whose default strategy it is. */
  private static JsonNode blueGreenDefinition() {
    for (Page page : DocPages.all()) {
      for (Block block : page.blocks()) {
        JsonNode definition = serviceDefinition(block);
        if (definition != null
            && definition.path("defaultStrategy").asText().equals("blue-green")) {
          return definition;
        }
      }
    }
    throw new IllegalStateException("no blue-green service definition in the docs");
  }

  // --- the routes, from Jersey's model of the registered resources

  record Route(String method, UriTemplate template, ResourceMethod resourceMethod) {}

  static List<Route> routes() {
    List<Route> routes = new ArrayList<>();
    // Dropwizard keeps the registered resources' classes here (and binds their instances).
    for (Class<?> registered : APP.getEnvironment().jersey().getResourceConfig().getClasses()) {
      if (registered.isAnnotationPresent(Path.class)) {
        Resource resource = Resource.from(registered);
        add(routes, resource.getPath(), resource);
      }
    }
    return routes;
  }

  private static void add(List<Route> routes, String parent, Resource resource) {
    for (ResourceMethod method : resource.getResourceMethods()) {
      routes.add(new Route(method.getHttpMethod(), new UriTemplate(parent), method));
    }
    for (Resource child : resource.getChildResources()) {
      add(routes, (parent + "/" + child.getPath()).replaceAll("/+", "/"), child);
    }
  }

  static Optional<Route> route(List<Route> routes, CurlExample curl) {
    if (curl.port() == 8081) {
      return Optional.of(new Route("GET", new UriTemplate("/healthcheck"), null))
          .filter(r -> curl.path().equals("/healthcheck") && curl.method().equals("GET"));
    }
    String path = PLACEHOLDER.matcher(curl.path()).replaceAll("$1-x");
    return routes.stream()
        .filter(r -> r.method().equals(curl.method()))
        .filter(r -> r.template().match(path.replaceAll("/$", ""), new ArrayList<>()))
        .findFirst();
  }

  /** Null when the route's entity type reads the body with the application's rules. */
  private static String readsAs(Route route, String body) {
    if (body == null || route.resourceMethod() == null) {
      return null;
    }
    for (Parameter parameter : route.resourceMethod().getInvocable().getParameters()) {
      if (parameter.getSource() == Parameter.Source.ENTITY
          && parameter.getRawType() != String.class) {
        Type type = parameter.getType();
        try {
          APP.getObjectMapper().readValue(body, APP.getObjectMapper().constructType(type));
        } catch (IOException e) {
          return e.getMessage().lines().findFirst().orElse("")
              + " (as "
              + parameter.getRawType().getSimpleName()
              + ")";
        }
      }
    }
    return null;
  }
}
