package dev.sluice.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceApplication;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class MetricsTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  SluiceClient api;

  @BeforeEach
  void client() {
    api = new SluiceClient(URI.create(base()), "alice");
  }

  static String base() {
    return "http://127.0.0.1:" + APP.getLocalPort();
  }

  static Scrape scrape() throws Exception {
    return Scrape.of(base() + "/metrics");
  }

  @Test
  void deploymentsAndVerdictsAreCountedFromTheLedgerWhoeverRecordedThemAndSurviveARestart()
      throws Exception {
    api.put("/api/v1/services/checkout", ApiFixture.service()).expect(201);
    api.put("/api/v1/services/cart", ApiFixture.service()).expect(201);
    String canary =
        api.post(
                "/api/v1/deployments",
                Map.of(
                    "service", "checkout",
                    "version", "2.0.0",
                    "strategy", "canary",
                    "canary",
                        Map.of(
                            "steps",
                            List.of(
                                Map.of("setWeight", 10),
                                Map.of("analysis", Map.of("duration", "5m", "interval", "30s"))))))
            .expect(202)
            .body()
            .path("id")
            .asText();
    api.post("/api/v1/deployments", Map.of("service", "cart", "version", "3.1.0")).expect(202);
    // No worker runs here: the canary's end is recorded as a worker in another process would
    // record it, straight into the shared ledger.
    Instant now = Instant.now();
    ledger()
        .record(
            new LedgerEntry(
                canary,
                "checkout",
                "2.0.0",
                "1.0.0",
                DeploymentState.ROLLED_BACK,
                Phase.COMPLETED,
                1,
                1,
                "canary failed its analysis",
                List.of(),
                List.of(
                    new DeploymentEvent(
                        100, now, "canary.analysis", null, "PASS after 10 checks: fine"),
                    new DeploymentEvent(
                        101, now, "canary.analysis", null, "FAIL after 4 checks: errors 5%")),
                "1.0.0"));

    Scrape metrics = scrape();
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.contentType()).startsWith("text/plain; version=0.0.4");
    assertThat(metrics.text())
        .contains("# HELP sluice_deployments_started_total ")
        .contains("# TYPE sluice_deployments_started_total counter");
    assertLedgerFigures(metrics);
    assertThat(metrics.value("sluice_ledger_up", Map.of())).isEqualTo(1);

    // A fresh process on the same ledger (a restart, or another API replica) answers the same.
    DropwizardTestSupport<SluiceConfiguration> other =
        new DropwizardTestSupport<>(
            SluiceApplication.class,
            ResourceHelpers.resourceFilePath("api-test.yml"),
            ConfigOverride.config("home", Files.createTempDirectory("sluice-metrics").toString()),
            ConfigOverride.config("database.url", APP.getConfiguration().getDatabase().getUrl()));
    other.before();
    try {
      assertLedgerFigures(Scrape.of("http://127.0.0.1:" + other.getLocalPort() + "/metrics"));
      Scrape admin = Scrape.of("http://127.0.0.1:" + other.getAdminPort() + "/prometheus");
      assertThat(admin.status()).isEqualTo(200);
      assertLedgerFigures(admin);
    } finally {
      other.after();
    }
  }

  private static void assertLedgerFigures(Scrape metrics) {
    assertThat(
            metrics.value(
                "sluice_deployments_started_total",
                Map.of("service", "checkout", "strategy", "canary")))
        .isEqualTo(1);
    assertThat(
            metrics.value(
                "sluice_deployments_finished_total",
                Map.of("service", "checkout", "strategy", "canary", "outcome", "rolled_back")))
        .isEqualTo(1);
    assertThat(metrics.series("sluice_deployments_finished_total"))
        .noneMatch(labels -> "cart".equals(labels.get("service")));
    assertThat(
            metrics.value(
                "sluice_deployments_started_total",
                Map.of("service", "cart", "strategy", "rolling")))
        .isEqualTo(1);
    assertThat(
            metrics.value(
                "sluice_deployments_active",
                Map.of("service", "cart", "strategy", "rolling", "state", "pending")))
        .isEqualTo(1);
    assertThat(
            metrics.value(
                "sluice_canary_analyses_total", Map.of("service", "checkout", "verdict", "pass")))
        .isEqualTo(1);
    assertThat(
            metrics.value(
                "sluice_canary_analyses_total", Map.of("service", "checkout", "verdict", "fail")))
        .isEqualTo(1);
  }

  @Test
  void restLatencyIsObservedByMethodRouteTemplateAndStatusClassNotByRawPath() throws Exception {
    api.get("/api/v1/deployments/no-such-1").expect(404);
    api.get("/api/v1/deployments/no-such-2").expect(404);
    api.get("/api/v1/audit").expect(200);
    api.get("/not/an/api/path").expect(404);

    Scrape metrics = scrape();
    assertThat(
            metrics.value(
                "sluice_http_request_duration_seconds_count",
                Map.of("method", "GET", "route", "/api/v1/deployments/{id}", "status", "4xx")))
        .isEqualTo(2);
    assertThat(
            metrics.value(
                "sluice_http_request_duration_seconds_count",
                Map.of("method", "GET", "route", "/api/v1/audit", "status", "2xx")))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            metrics.value(
                "sluice_http_request_duration_seconds_count",
                Map.of("method", "GET", "route", "unmatched", "status", "4xx")))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            metrics.value(
                "sluice_http_request_duration_seconds_bucket",
                Map.of(
                    "method",
                    "GET",
                    "route",
                    "/api/v1/deployments/{id}",
                    "status",
                    "4xx",
                    "le",
                    "+Inf")))
        .isEqualTo(2);
    assertThat(metrics.text()).doesNotContain("no-such-1").doesNotContain("/not/an/api");
  }

  @Test
  void flagEvaluationsServedAreCountedByFlagVariantAndReasonAndUnknownKeysShareOneSeries()
      throws Exception {
    api.post(
            "/api/v1/flags",
            Map.of(
                "key",
                "dark-mode",
                "type",
                "ops",
                "definition",
                Map.of(
                    "state",
                    "ENABLED",
                    "variants",
                    Map.of("on", true, "off", false),
                    "defaultVariant",
                    "on")))
        .expect(201);
    Map<String, Object> context = Map.of("context", Map.of("targetingKey", "u-1"));
    api.post("/api/v1/flags/dark-mode/evaluate", context).expect(200);
    api.post("/api/v1/flags/dark-mode/evaluate", context).expect(200);
    api.post("/api/v1/flags/typo-1/evaluate", context).expect(200);
    api.post("/api/v1/flags/typo-2/evaluate", context).expect(200);

    Scrape metrics = scrape();
    assertThat(
            metrics.value(
                "sluice_flag_evaluations_total",
                Map.of("flag", "dark-mode", "variant", "on", "reason", "STATIC")))
        .isEqualTo(2);
    assertThat(
            metrics.value(
                "sluice_flag_evaluations_total",
                Map.of("flag", "(unknown)", "variant", "", "reason", "ERROR")))
        .isEqualTo(2);
    assertThat(metrics.text()).doesNotContain("typo-1");
  }

  private static Ledger ledger() {
    return new Ledger(Jdbi.create(APP.getConfiguration().getDatabase().getUrl(), "sa", ""));
  }
}
