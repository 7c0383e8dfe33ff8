package dev.sluice.sampleapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SampleAppMetricsTest {

  /** One sample line of the text format: name, optional labels, value. */
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private SampleApp app;

  @BeforeEach
  void start() throws Exception {
    app = SampleApp.start(SampleAppConfig.of("2.0.0").withTarget("t1"));
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Map<String, Double> scrape() throws Exception {
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("#")) {
        assertThat(line).matches("# (HELP|TYPE) [a-z_]+ .+");
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("sample line %s", line).isTrue();
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.valueOf(m.group(3)));
    }
    return samples;
  }

  @Test
  void countsRequestsByStatusCodeAndPath() throws Exception {
    for (int i = 0; i < 3; i++) {
      get("/");
    }
    get("/health");
    get("/nope");
    get("/also/nope");

    Map<String, Double> samples = scrape();

    assertThat(samples)
        .containsEntry("http_requests_total{code=\"200\",path=\"/\"}", 3.0)
        .containsEntry("http_requests_total{code=\"200\",path=\"/health\"}", 1.0)
        .containsEntry("http_requests_total{code=\"404\",path=\"other\"}", 2.0)
        .containsEntry("sample_app_info{version=\"2.0.0\",target=\"t1\"}", 1.0);
  }

  @Test
  void durationHistogramHasCumulativeBucketsSumAndCount() throws Exception {
    get("/");
    get("/?delayMs=60");

    Map<String, Double> samples = scrape();

    List<Double> buckets = new ArrayList<>();
    for (String le :
        List.of(
            "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "+Inf")) {
      String key = "http_request_duration_seconds_bucket{path=\"/\",le=\"" + le + "\"}";
      assertThat(samples).containsKey(key);
      buckets.add(samples.get(key));
    }
    assertThat(buckets).isSorted();
    assertThat(buckets.get(buckets.size() - 1)).isEqualTo(2.0);
    // The delayed request took at least 60 ms, so it is above the 0.05 bucket.
    assertThat(samples.get("http_request_duration_seconds_bucket{path=\"/\",le=\"0.05\"}"))
        .isLessThanOrEqualTo(1.0);
    assertThat(samples).containsEntry("http_request_duration_seconds_count{path=\"/\"}", 2.0);
    assertThat(samples.get("http_request_duration_seconds_sum{path=\"/\"}")).isGreaterThan(0.06);
  }

  @Test
  void declaresTheTypeOfEachMetric() throws Exception {
    String body = get("/metrics").body();

    assertThat(body)
        .contains("# TYPE http_requests_total counter\n")
        .contains("# TYPE http_request_duration_seconds histogram\n")
        .contains("# TYPE sample_app_info gauge\n")
        .endsWith("\n");
  }
}
