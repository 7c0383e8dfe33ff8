package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The lists a dashboard reads — {@code GET /api/v1/releases}, {@code /migrations}, {@code
 * /dual-writes} — on the real application with its embedded worker. The datasources are H2
 * databases: a migration there runs (its check refuses H2), which is all a list needs.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DashboardListsApiTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP =
      ApiFixture.app(
          ConfigOverride.config("worker.embedded", "true"),
          ConfigOverride.config("migrations.datasources.app.url", h2()),
          ConfigOverride.config("migrations.datasources.spare.url", h2()));

  SluiceClient api;

  static String h2() {
    return "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  }

  @BeforeEach
  void client() {
    api = new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
  }

  static Map<String, Object> addColumn(String name, String datasource) {
    return Map.of(
        "name",
        name,
        "datasource",
        datasource,
        "operations",
        List.of(
            Map.of("type", "add_column", "table", "users", "column", "email", "dataType", "text")));
  }

  void createFlag(String key, Map<String, Object> variants, String defaultVariant) {
    api.post(
            "/api/v1/flags",
            Map.of(
                "key",
                key,
                "type",
                "release",
                "owner",
                "team-checkout",
                "definition",
                Map.of("state", "ENABLED", "variants", variants, "defaultVariant", defaultVariant),
                "reason",
                "test"))
        .expect(201);
  }

  @Test
  void everyDatasourceIsListedWithItsMigrationAsItsOwnGetAnswersOrNone() {
    api.post("/api/v1/migrations", addColumn("add_email", "app")).expect(202);

    JsonNode list = api.get("/api/v1/migrations").expect(200).body().path("migrations");

    assertThat(each(list, "datasource"))
        .as("by name, every configured datasource")
        .containsExactly("app", "spare");
    JsonNode app = entry(list, "app");
    JsonNode own = api.get("/api/v1/migrations/app").expect(200).body();
    assertThat(app.path("answer").asText()).isEqualTo("status");
    assertThat(app.path("status").path("name").asText()).isEqualTo("add_email");
    assertThat(app.path("status").fieldNames())
        .toIterable()
        .containsExactlyElementsOf(own::fieldNames);
    assertThat(app.path("links").path("self").asText()).isEqualTo("/api/v1/migrations/app");
    JsonNode spare = entry(list, "spare");
    assertThat(spare.path("answer").asText()).isEqualTo("none");
    assertThat(spare.path("status").isNull()).isTrue();
    assertThat(spare.path("message").asText()).isEqualTo("no migration has run on spare");
  }

  @Test
  void releasesAreListedNewestFirstWithHowEachStandsAndHowItEnded() {
    createFlag("list-done", Map.of("on", true, "off", false), "off");
    createFlag("list-baking", Map.of("on", true, "off", false), "off");
    String ended =
        api.post(
                "/api/v1/releases",
                Map.of(
                    "flagRollout",
                    Map.of(
                        "flag",
                        "list-done",
                        "variant",
                        "on",
                        "stages",
                        List.of(Map.of("percent", 100))),
                    "gate",
                    Map.of("after", "0s"),
                    "reason",
                    "JIRA-7"))
            .expect(202)
            .body()
            .path("id")
            .asText();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                entry(api.get("/api/v1/releases").expect(200).body().path("releases"), ended)
                    .path("state")
                    .asText()
                    .equals("COMPLETED"));
    String running =
        api.post(
                "/api/v1/releases",
                Map.of(
                    "flagRollout",
                    Map.of(
                        "flag",
                        "list-baking",
                        "variant",
                        "on",
                        "stages",
                        List.of(Map.of("percent", 50, "bake", "1h")))))
            .expect(202)
            .body()
            .path("id")
            .asText();

    JsonNode list = api.get("/api/v1/releases").expect(200).body().path("releases");

    assertThat(each(list, "id")).containsExactly(running, ended);
    JsonNode first = list.get(0);
    assertThat(first.path("state").asText()).isEqualTo("RUNNING");
    assertThat(first.path("stage").isNull()).as("its own view says, from a worker").isTrue();
    assertThat(first.path("flagRollout").asText()).isEqualTo("list-baking on");
    assertThat(first.path("startedBy").asText()).isEqualTo("alice");
    JsonNode last = list.get(1);
    assertThat(last.path("reason").asText()).isEqualTo("JIRA-7");
    assertThat(last.path("gateAfter").asText()).isEqualTo("PT0S");
    assertThat(last.path("stage").asText())
        .isEqualTo("COMPLETED")
        .isEqualTo(api.get("/api/v1/releases/" + ended).expect(200).body().path("stage").asText());
    JsonNode newest = api.get("/api/v1/releases?limit=1").expect(200).body().path("releases");
    assertThat(each(newest, "id")).containsExactly(running);
  }

  @Test
  void dualWritesAreListedByNameWithWhereEachStands() {
    Map<String, Object> phases = new LinkedHashMap<>();
    for (String phase : List.of("old-only", "dual-write", "shadow-read", "read-new", "new-only")) {
      phases.put(phase, phase);
    }
    createFlag("orders-store", phases, "old-only");
    api.post(
            "/api/v1/dual-writes",
            Map.of(
                "name",
                "orders",
                "flagKey",
                "orders-store",
                "metricsUrls",
                List.of("http://127.0.0.1:9/metrics")))
        .expect(202);
    // The workflow's first step moves the flag from old-only to dual-write, then it watches.
    Awaitility.await("orders in dual-write")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                api.get("/api/v1/dual-writes/orders")
                    .body()
                    .path("phase")
                    .asText()
                    .equals("dual-write"));

    JsonNode list = api.get("/api/v1/dual-writes").expect(200).body().path("dualWrites");

    assertThat(each(list, "name")).containsExactly("orders");
    JsonNode orders = list.get(0);
    assertThat(orders.path("flagKey").asText()).isEqualTo("orders-store");
    assertThat(orders.path("startedBy").asText()).isEqualTo("alice");
    assertThat(orders.path("answer").asText()).isEqualTo("status");
    assertThat(orders.path("status").path("state").asText()).isEqualTo("RUNNING");
    assertThat(orders.path("status").path("phase").asText()).isEqualTo("dual-write");
    assertThat(orders.path("links").path("self").asText()).isEqualTo("/api/v1/dual-writes/orders");
    api.post("/api/v1/dual-writes/orders/abort", null).expect(202);
  }

  @Test
  void aLimitOutsideOneToAHundredIsABadRequestNamingIt() {
    for (String list : List.of("/api/v1/releases", "/api/v1/dual-writes")) {
      for (String limit : List.of("0", "101", "abc")) {
        JsonNode error = api.get(list + "?limit=" + limit).expect(400).body();
        assertThat(error.path("field").asText()).as(list + " " + limit).isEqualTo("limit");
      }
    }
  }

  /** Each entry's {@code field}, in order. */
  private static List<String> each(JsonNode list, String field) {
    List<String> values = new ArrayList<>();
    list.forEach(entry -> values.add(entry.path(field).asText()));
    return values;
  }

  /** The entry of {@code list} for a datasource or a release id; missing when there is none. */
  private static JsonNode entry(JsonNode list, String key) {
    for (JsonNode entry : list) {
      if (key.equals(entry.path("datasource").asText(null))
          || key.equals(entry.path("id").asText(null))) {
        return entry;
      }
    }
    return MissingNode.getInstance();
  }
}
