package dev.sluice.activities.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.activities.metrics.SampleAppProcess;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.ports.MetricProvider.Status;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PrometheusProvider} against a real Prometheus scraping two real sample-app processes every
 * second: {@code stable} (version 1.0, no errors, no added latency) and {@code canary} (version
 * 2.0, 30% errors, 50 ms added latency). Both get traffic, and every test queries what Prometheus
 * scraped.
 */
class PrometheusProviderTest {

  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final int MAX_SAMPLES = 200;
  private static final String ERRORS =
      "sum(increase(http_requests_total{path=\"/\",code=~\"5..\",instance=~\"{{instances}}\"}"
          + "[{{window}}]))";
  private static final String REQUESTS =
      "sum(increase(http_requests_total{path=\"/\",instance=~\"{{instances}}\"}[{{window}}]))";
  private static final String LATENCY =
      "sum by (le) (increase(http_request_duration_seconds_bucket"
          + "{path=\"/\",instance=~\"{{instances}}\"}[{{window}}]))";

  @TempDir static Path dir;

  private static SampleAppProcess stable;
  private static SampleAppProcess canary;
  private static PrometheusProcess prometheus;
  private static PrometheusProvider provider;

  @BeforeAll
  static void scrapeTwoVersionsUnderTraffic() throws Exception {
    PrometheusProcess.binary()
        .orElseThrow(() -> new AssertionError(PrometheusProcess.INSTALL_HINT));
    stable = SampleAppProcess.launch(dir, "stable", "1.0");
    canary =
        SampleAppProcess.launch(dir, "canary", "2.0", "--error-rate", "0.3", "--latency-ms", "50");
    prometheus =
        PrometheusProcess.launch(
            dir.resolve("prometheus"),
            List.of(stable.target().address(), canary.target().address()));
    stable.awaitReady();
    canary.awaitReady();
    prometheus.awaitReady();

    // increase() counts from a series' first scraped sample, so the series (a 5xx one included)
    // must exist and be scraped before the traffic that is measured.
    stable.send(20, 10);
    while (!canary.send(20, 10).containsKey(500)) {
      assertThat(canary.requests()).as("canary answered no 500 in 200 requests").isLessThan(200);
    }
    awaitScraped();
    stable.send(300, 16);
    canary.send(300, 16);
    awaitScraped();

    provider =
        PrometheusProvider.fromRef(
            new ProviderRef(
                "prometheus",
                Map.of(
                    "url",
                    prometheus.url(),
                    "timeout",
                    "5s",
                    "maxSamples",
                    MAX_SAMPLES,
                    "queries",
                    Map.of(
                        "errors",
                        Map.of("events", ERRORS, "total", REQUESTS),
                        "latency",
                        LATENCY,
                        "instances-on-version",
                        "count(sample_app_info{version=\"{{version}}\",instance=~\"{{instances}}\"})",
                        "info-series",
                        "sample_app_info{instance=~\"{{instances}}\"}",
                        "unknown",
                        "sum(increase(no_such_metric_total{instance=~\"{{instances}}\"}[{{window}}]))",
                        "not-a-number",
                        "vector(0) / 0",
                        "broken",
                        "sum(rate(http_requests_total[{{window}}]"))));
  }

  @AfterAll
  static void stopEverything() {
    List<AutoCloseable> started = new ArrayList<>();
    for (AutoCloseable process : new AutoCloseable[] {prometheus, canary, stable}) {
      if (process != null) {
        started.add(process);
      }
    }
    started.forEach(
        process -> {
          try {
            process.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    assertThat(prometheus == null || !prometheus.isAlive()).isTrue();
    assertThat(canary == null || !canary.isAlive()).isTrue();
    assertThat(stable == null || !stable.isAlive()).isTrue();
  }

  @Test
  void ratioSeesTheCanaryErrorRate() {
    Sample sample = provider.fetch(query("errors", Kind.RATIO, "canary", canary, "2.0"));

    assertThat(sample.status()).as(sample.detail()).isEqualTo(Status.OK);
    assertThat(sample.total()).isBetween(250L, 700L);
    assertThat((double) sample.events() / sample.total()).isBetween(0.2, 0.4);
    assertThat(sample.detail()).contains("code=~\"5..\"").contains("[60s]");
  }

  @Test
  void ratioWithoutAnyErrorSeriesCountsZeroEvents() {
    Sample sample = provider.fetch(query("errors", Kind.RATIO, "baseline", stable, "1.0"));

    assertThat(sample.status()).as(sample.detail()).isEqualTo(Status.OK);
    assertThat(sample.events()).isZero();
    assertThat(sample.total()).isBetween(250L, 700L);
  }

  @Test
  void samplesFollowTheLatencyHistogram() {
    Sample slow = provider.fetch(query("latency", Kind.SAMPLES, "canary", canary, "2.0"));
    Sample fast = provider.fetch(query("latency", Kind.SAMPLES, "baseline", stable, "1.0"));

    assertThat(slow.status()).as(slow.detail()).isEqualTo(Status.OK);
    assertThat(fast.status()).as(fast.detail()).isEqualTo(Status.OK);
    // More than 300 observations each, scaled down to the cap.
    assertThat(slow.values()).hasSize(MAX_SAMPLES);
    assertThat(fast.values()).hasSize(MAX_SAMPLES);
    // 50 ms of latency lands in the bucket (0.05, 0.1]: its values spread evenly across it.
    assertThat(median(slow.values())).isBetween(0.05, 0.1);
    assertThat(median(fast.values())).isLessThan(0.025);
  }

  @Test
  void valueQueryFillsInVersionAndInstances() {
    Sample sample =
        provider.fetch(query("instances-on-version", Kind.VALUE, "canary", canary, "2.0"));

    assertThat(sample.status()).as(sample.detail()).isEqualTo(Status.OK);
    assertThat(sample.value()).isEqualTo(1.0);
    assertThat(sample.detail())
        .contains("version=\"2.0\"")
        .contains("instance=~\"127\\\\.0\\\\.0\\\\.1:" + canary.target().port() + "\"");
  }

  @Test
  void valueOfSeveralSeriesIsAnError() {
    Query both =
        new Query(
            "info-series",
            Kind.VALUE,
            "live",
            List.of(stable.target(), canary.target()),
            "checkout",
            "1.0",
            WINDOW);

    Sample sample = provider.fetch(both);

    assertThat(sample.status()).isEqualTo(Status.ERROR);
    assertThat(sample.detail()).contains("2 series");
  }

  @Test
  void emptyResultsAreNoData() {
    Sample unknown = provider.fetch(query("unknown", Kind.VALUE, "canary", canary, "2.0"));
    Sample otherVersion =
        provider.fetch(query("instances-on-version", Kind.VALUE, "canary", canary, "1.0"));
    Sample notANumber = provider.fetch(query("not-a-number", Kind.VALUE, "canary", canary, "2.0"));
    Sample noTargets =
        provider.fetch(
            new Query("errors", Kind.RATIO, "canary", List.of(), "checkout", "2.0", WINDOW));

    assertThat(unknown.status()).isEqualTo(Status.NO_DATA);
    assertThat(unknown.detail()).contains("no series").contains("no_such_metric_total");
    assertThat(otherVersion.status()).isEqualTo(Status.NO_DATA);
    assertThat(notANumber.status()).isEqualTo(Status.NO_DATA);
    assertThat(notANumber.detail()).contains("NaN");
    assertThat(noTargets.status()).isEqualTo(Status.NO_DATA);
  }

  @Test
  void queryPrometheusRejectsIsAnError() {
    Sample sample = provider.fetch(query("broken", Kind.VALUE, "canary", canary, "2.0"));

    assertThat(sample.status()).isEqualTo(Status.ERROR);
    assertThat(sample.detail()).contains("HTTP 400").contains("bad_data");
  }

  @Test
  void prometheusDownIsAnError() {
    PrometheusProvider down = providerAt("http://127.0.0.1:" + SampleAppProcess.freePort(), "2s");

    Sample sample = down.fetch(query("errors", Kind.RATIO, "canary", canary, "2.0"));

    assertThat(sample.status()).isEqualTo(Status.ERROR);
    assertThat(sample.detail()).contains("unreachable");
  }

  @Test
  void wrongPathIsAnError() {
    PrometheusProvider wrong = providerAt(prometheus.url() + "/no/such/prefix", "2s");

    Sample sample = wrong.fetch(query("errors", Kind.RATIO, "canary", canary, "2.0"));

    assertThat(sample.status()).isEqualTo(Status.ERROR);
    assertThat(sample.detail()).contains("HTTP 404");
  }

  @Test
  void serverThatNeverAnswersIsAnErrorAfterTheTimeout() throws Exception {
    // The kernel completes the TCP handshake for the backlog; nobody ever reads the request.
    try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      PrometheusProvider hung = providerAt("http://127.0.0.1:" + silent.getLocalPort(), "300ms");

      long started = System.nanoTime();
      Sample sample = hung.fetch(query("errors", Kind.RATIO, "canary", canary, "2.0"));

      assertThat(sample.status()).isEqualTo(Status.ERROR);
      assertThat(sample.detail()).contains("did not answer within 300ms");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }
  }

  /** Waits until Prometheus holds a sample taken after every request sent so far. */
  private static void awaitScraped() {
    await("Prometheus scraped every request")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> scraped(stable) == stable.requests() && scraped(canary) == canary.requests());
  }

  private static double scraped(SampleAppProcess app) throws Exception {
    return prometheus.value(
        "sum(http_requests_total{path=\"/\",instance=\"" + app.target().address() + "\"})");
  }

  private static PrometheusProvider providerAt(String url, String timeout) {
    return PrometheusProvider.fromRef(
        new ProviderRef(
            "prometheus",
            Map.of(
                "url",
                url,
                "timeout",
                timeout,
                "queries",
                Map.of("errors", Map.of("events", ERRORS, "total", REQUESTS)))));
  }

  private static Query query(
      String metric, Kind kind, String group, SampleAppProcess app, String version) {
    List<Target> targets = List.of(app.target());
    return new Query(metric, kind, group, targets, "checkout", version, WINDOW);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
