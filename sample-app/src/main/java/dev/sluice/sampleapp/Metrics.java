package dev.sluice.sampleapp;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters and a latency histogram, rendered in the Prometheus text exposition format
 * (version 0.0.4). Label values are limited to the app's known paths so a scanner hitting random
 * URLs cannot blow up the number of series.
 */
final class Metrics {

  /** Upper bounds of the latency buckets, in seconds; Prometheus' client defaults. */
  static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final ConcurrentMap<List<String>, LongAdder> requests = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Histogram> durations = new ConcurrentHashMap<>();

  /** Counts one finished request. */
  void record(String path, int status, long nanos) {
    requests
        .computeIfAbsent(List.of(Integer.toString(status), path), k -> new LongAdder())
        .increment();
    durations.computeIfAbsent(path, k -> new Histogram()).observe(nanos / 1e9);
  }

  /**
   * Everything, in the text format, with the info metric naming {@code version} and {@code target};
   * {@code inFlight} counts the scrape itself, as Prometheus' own handlers do.
   */
  String render(String version, String target, int inFlight) {
    StringBuilder out = new StringBuilder(4096);
    out.append("# HELP http_requests_total HTTP requests served, by status code and path.\n");
    out.append("# TYPE http_requests_total counter\n");
    Map<List<String>, LongAdder> sortedRequests =
        new TreeMap<>((a, b) -> (a.get(1) + " " + a.get(0)).compareTo(b.get(1) + " " + b.get(0)));
    sortedRequests.putAll(requests);
    sortedRequests.forEach(
        (key, count) ->
            out.append("http_requests_total{code=\"")
                .append(key.get(0))
                .append("\",path=\"")
                .append(label(key.get(1)))
                .append("\"} ")
                .append(count.sum())
                .append('\n'));

    out.append("# HELP http_request_duration_seconds Time to serve a request, by path.\n");
    out.append("# TYPE http_request_duration_seconds histogram\n");
    new TreeMap<>(durations).forEach((path, histogram) -> histogram.render(label(path), out));

    out.append("# HELP http_requests_in_flight Requests being served now.\n");
    out.append("# TYPE http_requests_in_flight gauge\n");
    out.append("http_requests_in_flight ").append(inFlight).append('\n');

    out.append("# HELP sample_app_info The version and target this instance runs as.\n");
    out.append("# TYPE sample_app_info gauge\n");
    out.append("sample_app_info{version=\"")
        .append(label(version))
        .append("\",target=\"")
        .append(label(target))
        .append("\"} 1\n");
    return out.toString();
  }

  private static String label(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** One path's latencies; buckets hold non-cumulative counts, summed up when rendered. */
  private static final class Histogram {
    private final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
    private final DoubleAdder sum = new DoubleAdder();

    Histogram() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    void observe(double seconds) {
      int i = 0;
      while (i < BUCKETS.length && seconds > BUCKETS[i]) {
        i++;
      }
      buckets[i].increment();
      sum.add(seconds);
    }

    void render(String path, StringBuilder out) {
      // _count is taken from the +Inf bucket rather than a counter of its own, so the two agree
      // even while requests are being recorded during the scrape.
      long cumulative = 0;
      for (int i = 0; i <= BUCKETS.length; i++) {
        cumulative += buckets[i].sum();
        String le = i < BUCKETS.length ? Double.toString(BUCKETS[i]) : "+Inf";
        out.append("http_request_duration_seconds_bucket{path=\"")
            .append(path)
            .append("\",le=\"")
            .append(le)
            .append("\"} ")
            .append(cumulative)
            .append('\n');
      }
      out.append("http_request_duration_seconds_sum{path=\"")
          .append(path)
          .append("\"} ")
          .append(sum.sum())
          .append('\n');
      out.append("http_request_duration_seconds_count{path=\"")
          .append(path)
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
  }
}
