package dev.sluice.activities.metrics.prometheus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.ports.MetricProvider.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PrometheusProvider}'s parts without a Prometheus: templates, buckets to values, settings,
 * and what it sends and reads, against a stub HTTP server answering canned API responses.
 */
class PrometheusQueriesTest {

  private static final Duration WINDOW = Duration.ofSeconds(30);
  private static final List<Target> TARGETS =
      List.of(
          new Target("c1", "10.0.0.1", 8080, null), new Target("c2", "[2001:db8::2]", 9100, null));

  @TempDir Path dir;

  private HttpServer stub;
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopStub() {
    if (stub != null) {
      stub.stop(0);
    }
  }

  @Test
  void placeholdersAreFilledInEscapedForPromqlStrings() {
    QueryTemplate template =
        QueryTemplate.parse(
            "queries.x",
            "up{instance=~\"{{instances}}\",group=\"{{ group }}\",service=\"{{service}}\","
                + "version=\"{{version}}\"}[{{window}}]");

    String rendered =
        template.render(
            new Query("x", Kind.VALUE, "canary", TARGETS, "check\"out", "1.5.0", WINDOW));

    assertThat(rendered)
        .isEqualTo(
            "up{instance=~\"10\\\\.0\\\\.0\\\\.1:8080|\\\\[2001:db8::2\\\\]:9100\","
                + "group=\"canary\",service=\"check\\\"out\",version=\"1.5.0\"}[30s]");
    assertThat(template.usesInstances()).isTrue();
  }

  @Test
  void windowsRenderAsPromqlDurations() {
    assertThat(QueryTemplate.duration(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(QueryTemplate.duration(Duration.ofMinutes(5))).isEqualTo("300s");
    assertThat(QueryTemplate.duration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThatThrownBy(() -> QueryTemplate.duration(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void bucketsBecomeValuesSpreadEvenlyInsideEachBucket() {
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    buckets.put(0.1, 2.0);
    buckets.put(0.2, 2.0);
    buckets.put(0.5, 3.0);
    buckets.put(Double.POSITIVE_INFINITY, 5.0);

    List<Double> values = HistogramSamples.fromBuckets(buckets, 100);

    assertThat(values)
        .hasSize(5)
        .satisfiesExactly(
            v -> assertThat(v).isCloseTo(0.025, within(1e-9)),
            v -> assertThat(v).isCloseTo(0.075, within(1e-9)),
            v -> assertThat(v).isCloseTo(0.35, within(1e-9)),
            v -> assertThat(v).isEqualTo(0.5),
            v -> assertThat(v).isEqualTo(0.5));
  }

  @Test
  void bucketsAboveTheCapAreScaledDownKeepingTheirShape() {
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    buckets.put(1.0, 30_000.4);
    buckets.put(2.0, 39_999.6);
    // increase() extrapolation can make a wider bucket count a little less than a narrower one.
    buckets.put(Double.POSITIVE_INFINITY, 39_999.1);

    List<Double> values = HistogramSamples.fromBuckets(buckets, 10_000);

    assertThat(values).hasSize(10_000);
    assertThat(values.stream().filter(v -> v <= 1.0).count()).isEqualTo(7_500);
    assertThat(values.get(3_750)).isCloseTo(0.5, within(0.001));
    assertThat(HistogramSamples.fromBuckets(new TreeMap<>(Map.of(0.1, 0.0)), 10)).isEmpty();
    assertThat(
            HistogramSamples.fromBuckets(new TreeMap<>(Map.of(Double.POSITIVE_INFINITY, 9.0)), 9))
        .isEmpty();
  }

  @Test
  void settingsNoRetryCanFixAreRejected() {
    assertThatThrownBy(() -> provider(Map.of("queries", Map.of("x", "up"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'url'");
    assertThatThrownBy(
            () -> provider(Map.of("url", "prometheus:9090", "queries", Map.of("x", "up"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("http(s) URL");
    assertThatThrownBy(() -> provider(Map.of("url", "http://p:9090")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'queries'");
    assertThatThrownBy(
            () -> provider(Map.of("url", "http://p:9090", "queries", Map.of("x", "up{{{pod}}}"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("queries.x")
        .hasMessageContaining("{{pod}}");
    assertThatThrownBy(
            () ->
                provider(
                    Map.of("url", "http://p:9090", "queries", Map.of("x", Map.of("events", "up")))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'events' and 'total'");
  }

  @Test
  void aMetricMustHaveAQueryOfItsKind() {
    PrometheusProvider provider =
        provider(
            Map.of(
                "url",
                "http://127.0.0.1:1",
                "queries",
                Map.of("latency", "x", "errors", Map.of("events", "a", "total", "b"))));

    assertThatThrownBy(() -> provider.fetch(query("latency", Kind.RATIO)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'events' and 'total'");
    assertThatThrownBy(() -> provider.fetch(query("errors", Kind.VALUE)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("one query string");
    assertThatThrownBy(() -> provider.fetch(query("conversions", Kind.VALUE)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no query for metric 'conversions'");
  }

  @Test
  void bearerTokenComesFromTheNamedEnvironmentVariable() throws IOException {
    startStub();
    answers.put("up", vector("{}", "1"));
    Map<String, Object> settings =
        Map.of(
            "url",
            url(),
            "bearerTokenEnv",
            "PROM_TOKEN",
            "headers",
            Map.of("X-Scope-OrgID", "tenant-1"),
            "queries",
            Map.of("up", "up"));

    Sample sample =
        PrometheusProvider.fromRef(
                new ProviderRef("prometheus", settings), Map.of("PROM_TOKEN", "s3cret")::get)
            .fetch(query("up", Kind.VALUE));

    assertThat(sample.value()).isEqualTo(1.0);
    assertThat(authorizations).containsExactly("Bearer s3cret");
    assertThat(sample.detail()).doesNotContain("s3cret");
    // Built without the variable (the API checks settings without the workers' secrets); the
    // query it cannot authenticate is a configuration error naming the variable.
    PrometheusProvider withoutToken =
        PrometheusProvider.fromRef(
            new ProviderRef("prometheus", settings), Map.<String, String>of()::get);
    assertThatThrownBy(() -> withoutToken.fetch(query("up", Kind.VALUE)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("environment variable PROM_TOKEN");
  }

  @Test
  void bearerTokenFileIsReadOnEveryQuery() throws IOException {
    startStub();
    answers.put("up", vector("{}", "1"));
    Path token = dir.resolve("token");
    Files.writeString(token, "first\n", UTF_8);
    PrometheusProvider provider =
        provider(
            Map.of(
                "url", url(), "bearerTokenFile", token.toString(), "queries", Map.of("up", "up")));

    provider.fetch(query("up", Kind.VALUE));
    Files.writeString(token, "second", UTF_8);
    provider.fetch(query("up", Kind.VALUE));
    Files.delete(token);
    Sample noToken = provider.fetch(query("up", Kind.VALUE));

    assertThat(authorizations).containsExactly("Bearer first", "Bearer second");
    assertThat(noToken.status()).isEqualTo(Status.ERROR);
    assertThat(noToken.detail()).contains("cannot read bearer token file");
  }

  @Test
  void ratioAddsUpSeriesAndCapsEventsAtTheTotal() throws IOException {
    startStub();
    answers.put(
        "total", vector("{\"code\":\"200\"}", "7.6") + "|" + vector("{\"code\":\"500\"}", "2.4"));
    answers.put("events", vector("{\"code\":\"500\"}", "11.4"));
    PrometheusProvider provider =
        provider(
            Map.of(
                "url",
                url(),
                "queries",
                Map.of("errors", Map.of("events", "events", "total", "total"))));

    Sample sample = provider.fetch(query("errors", Kind.RATIO));

    assertThat(sample.status()).isEqualTo(Status.OK);
    assertThat(sample.events()).isEqualTo(10);
    assertThat(sample.total()).isEqualTo(10);
    assertThat(sample.detail()).contains("lowered to the total");
  }

  @Test
  void samplesAddUpBucketsWithTheSameBound() throws IOException {
    startStub();
    answers.put(
        "buckets",
        vector("{\"le\":\"0.1\",\"instance\":\"a\"}", "1")
            + "|"
            + vector("{\"le\":\"0.1\",\"instance\":\"b\"}", "1")
            + "|"
            + vector("{\"le\":\"+Inf\",\"instance\":\"a\"}", "1")
            + "|"
            + vector("{\"le\":\"+Inf\",\"instance\":\"b\"}", "2"));
    answers.put("no-le", vector("{\"instance\":\"a\"}", "1"));
    PrometheusProvider provider =
        provider(Map.of("url", url(), "queries", Map.of("latency", "buckets", "bad", "no-le")));

    Sample sample = provider.fetch(query("latency", Kind.SAMPLES));
    Sample bad = provider.fetch(query("bad", Kind.SAMPLES));

    assertThat(sample.values())
        .satisfiesExactly(
            v -> assertThat(v).isCloseTo(0.025, within(1e-9)),
            v -> assertThat(v).isCloseTo(0.075, within(1e-9)),
            v -> assertThat(v).isEqualTo(0.1));
    assertThat(bad.status()).isEqualTo(Status.ERROR);
    assertThat(bad.detail()).contains("'le'");
  }

  private PrometheusProvider provider(Map<String, Object> settings) {
    return PrometheusProvider.fromRef(new ProviderRef("prometheus", settings), name -> null);
  }

  private static Query query(String metric, Kind kind) {
    return new Query(metric, kind, "canary", TARGETS, "checkout", "1.5.0", WINDOW);
  }

  /** One series of an instant vector's result; several are joined by {@code |}. */
  private static String vector(String labels, String value) {
    return "{\"metric\":" + labels + ",\"value\":[1700000000.000,\"" + value + "\"]}";
  }

  private String url() {
    return "http://127.0.0.1:" + stub.getAddress().getPort();
  }

  // Answers POST /api/v1/query with the canned series for the query text, an empty vector else.
  private void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    stub.createContext(
        "/api/v1/query",
        exchange -> {
          String form = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
          String query = "";
          for (String pair : form.split("&")) {
            if (pair.startsWith("query=")) {
              query = URLDecoder.decode(pair.substring("query=".length()), UTF_8);
            }
          }
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          if (auth != null) {
            authorizations.add(auth);
          }
          String series = answers.getOrDefault(query, "").replace("|", ",");
          byte[] body =
              ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                      + series
                      + "]}}")
                  .getBytes(UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (var out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    stub.start();
  }
}
