package dev.sluice.api.metrics;

import static org.awaitility.Awaitility.await;

import dev.sluice.activities.metrics.prometheus.PrometheusProcess;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.testkit.SluiceClient;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A real Prometheus scrapes Sluice's default path and answers queries over its metrics. */
@ExtendWith(DropwizardExtensionsSupport.class)
class PrometheusScrapeTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();

  @Test
  void prometheusScrapesSluiceAndAnswersAQueryOverADeploymentCount(@TempDir Path dir) {
    SluiceClient api =
        new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
    api.put("/api/v1/services/scraped", ApiFixture.service()).expect(201);
    api.post("/api/v1/deployments", Map.of("service", "scraped", "version", "2.0.0")).expect(202);

    try (PrometheusProcess prometheus =
        PrometheusProcess.launch(dir, List.of("127.0.0.1:" + APP.getLocalPort())).awaitReady()) {
      await("Prometheus has scraped Sluice's deployment count")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  prometheus.value(
                          "sum by (service) (sluice_deployments_started_total{service=\"scraped\"})")
                      == 1);
      await("Prometheus has scraped Sluice's REST latency histogram")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  prometheus.value(
                          "sum(sluice_http_request_duration_seconds_count{method=\"POST\","
                              + "route=\"/api/v1/deployments\",status=\"2xx\"})")
                      == 1);
    }
  }
}
