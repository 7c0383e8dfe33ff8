package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The permissions table against the API's routes, as docs/openapi.json lists them (OpenApiTest
 * holds that document equal to the registered resources): every route that is not a GET has a role,
 * and no line of the table names a route that does not exist.
 */
class PermissionsTest {

  static Set<String> routes() throws IOException {
    Path root = Path.of(System.getProperty("sluice.home", ".."));
    JsonNode paths =
        new ObjectMapper()
            .readTree(Files.readString(root.resolve("docs/openapi.json")))
            .path("paths");
    Set<String> routes = new TreeSet<>();
    for (Map.Entry<String, JsonNode> path : paths.properties()) {
      path.getValue()
          .fieldNames()
          .forEachRemaining(m -> routes.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey()));
    }
    return routes;
  }

  @Test
  void everyRouteButAGetHasARole() throws IOException {
    Set<String> routes = routes();
    assertThat(routes).hasSizeGreaterThan(40);
    Set<String> missing = new TreeSet<>();
    for (String route : routes) {
      if (!route.startsWith("GET ") && !Permissions.ROUTES.containsKey(route)) {
        missing.add(route);
      }
    }
    assertThat(missing).as("routes Permissions.ROUTES gives no role").isEmpty();
  }

  @Test
  void everyLineOfTheTableIsARoute() throws IOException {
    Set<String> routes = routes();
    Set<String> stale = new TreeSet<>();
    for (String line : Permissions.ROUTES.keySet()) {
      String route = line.replaceAll("/(pause|resume|promote|abort|retry)$", "/{action}");
      if (!routes.contains(route)) {
        stale.add(line);
      }
    }
    assertThat(stale).isEmpty();
  }

  @Test
  void aControlNeedsTheRoleOfItsActionAndAnUnknownActionTheRoutesLowest() {
    String control = "POST /api/v1/deployments/{id}/{action}";
    assertThat(Permissions.required(control, "pause")).isEqualTo(Role.DEPLOYER);
    assertThat(Permissions.required(control, "promote")).isEqualTo(Role.APPROVER);
    assertThat(Permissions.required(control, "abort")).isEqualTo(Role.APPROVER);
    assertThat(Permissions.required(control, "bogus")).isEqualTo(Role.DEPLOYER);
    assertThat(Permissions.required("GET /api/v1/deployments/{id}", null)).isEqualTo(Role.VIEWER);
    assertThat(Permissions.required("PUT /api/v1/services/{name}", null)).isEqualTo(Role.ADMIN);
    assertThat(Permissions.required("POST /api/v1/nowhere", null))
        .as("a route the table misses is the admin's until it is given a role")
        .isEqualTo(Role.ADMIN);
  }

  @Test
  void eachRoleIncludesTheOnesBeforeIt() {
    assertThat(Role.ADMIN.includes(Role.APPROVER)).isTrue();
    assertThat(Role.APPROVER.includes(Role.DEPLOYER)).isTrue();
    assertThat(Role.DEPLOYER.includes(Role.VIEWER)).isTrue();
    assertThat(Role.DEPLOYER.includes(Role.APPROVER)).isFalse();
    assertThat(Role.of("Approver")).contains(Role.APPROVER);
    assertThat(Role.of("root")).isEmpty();
  }
}
