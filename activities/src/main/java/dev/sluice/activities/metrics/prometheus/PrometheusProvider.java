package dev.sluice.activities.metrics.prometheus;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.activities.metrics.prometheus.PrometheusClient.Failure;
import dev.sluice.activities.metrics.prometheus.PrometheusClient.Result;
import dev.sluice.activities.metrics.prometheus.PrometheusClient.Series;
import dev.sluice.activities.metrics.prometheus.PrometheusClient.Vector;
import dev.sluice.model.ProviderRef;
import dev.sluice.ports.MetricProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link MetricProvider} over PromQL: one query template per metric, run as instant queries through
 * Prometheus' HTTP API (or anything that speaks it: Thanos, Mimir, VictoriaMetrics).
 *
 * <p>Settings ({@link ProviderRef} type {@value #TYPE}):
 *
 * <ul>
 *   <li>{@code url} (required): Prometheus' base URL, e.g. {@code http://prometheus:9090}; {@code
 *       /api/v1/query} is appended, after any path prefix.
 *   <li>{@code timeout} (default {@code 5s}): limit for one query, sent to Prometheus as well.
 *   <li>{@code queries} (required): metric name to its query. A {@link Kind#VALUE} or {@link
 *       Kind#SAMPLES} metric has one query string; a {@link Kind#RATIO} metric has an object with
 *       two, {@code events} and {@code total}. Placeholders: see {@link QueryTemplate}.
 *   <li>{@code maxSamples} (default {@value #DEFAULT_MAX_SAMPLES}): the most values a {@link
 *       Kind#SAMPLES} fetch returns.
 *   <li>{@code bearerTokenEnv} (optional): the name of an environment variable of the worker that
 *       holds a bearer token, sent as {@code Authorization: Bearer ...}; read once, when the
 *       provider is built.
 *   <li>{@code bearerTokenFile} (optional): a file holding the bearer token, read on every query so
 *       a rotated token is picked up.
 *   <li>{@code headers} (optional): header name to value, sent as they are; for what is not secret,
 *       such as {@code X-Scope-OrgID}. Settings end up in Temporal's history.
 *   <li>{@code headersFromEnv} (optional): header name to the name of an environment variable
 *       holding its value, for secret headers such as a Basic {@code Authorization}.
 * </ul>
 *
 * <p>Example for sample-app's metrics, whose targets Prometheus scrapes as {@code host:port}:
 *
 * <pre>
 * queries:
 *   errors:                                   # RATIO
 *     events: sum(increase(http_requests_total{path="/",code=~"5..",instance=~"{{instances}}"}[{{window}}]))
 *     total:  sum(increase(http_requests_total{path="/",instance=~"{{instances}}"}[{{window}}]))
 *   latency:                                  # SAMPLES, in seconds
 *     sum by (le) (increase(http_request_duration_seconds_bucket{path="/",instance=~"{{instances}}"}[{{window}}]))
 *   instances-on-version:                     # VALUE
 *     count(sample_app_info{version="{{version}}",instance=~"{{instances}}"})
 * </pre>
 *
 * <p>How answers become samples; {@code events} and {@code total} are evaluated at one instant:
 *
 * <ul>
 *   <li>{@link Kind#RATIO}: each query's series are added up and rounded to whole counts. {@code
 *       total} without series is {@link Status#NO_DATA}; {@code events} without series counts as 0
 *       (a counter of 5xx answers often has no series until the first one). Events above the total
 *       (extrapolation of {@code increase()} at the window's edges) are lowered to the total.
 *   <li>{@link Kind#SAMPLES}: the series are histogram buckets, told apart by their {@code le}
 *       label; series with the same {@code le} are added up, so {@code sum by (le)} is optional.
 *       The buckets become approximate values as {@link HistogramSamples} describes, in the
 *       histogram's unit, at most {@code maxSamples} of them (scaled down evenly above that).
 *   <li>{@link Kind#VALUE}: the single series' value; more than one series is an {@link
 *       Status#ERROR} (aggregate them in the query).
 * </ul>
 *
 * <p>Every OK sample's detail holds the queries as run. No series, NaN or infinite values, or no
 * observations are {@link Status#NO_DATA}; so is a query on {@code {{instances}}} for a group
 * without targets. A non-200 answer, {@code "status":"error"} (PromQL syntax errors included), a
 * timeout or an unreachable server is {@link Status#ERROR}.
 *
 * <p>Thrown, as {@link ConfigurationException}: malformed settings when built, and at fetch time a
 * metric without a query or whose query does not fit its kind.
 */
public final class PrometheusProvider implements MetricProvider {

  /** The provider type this provider is registered under. */
  public static final String TYPE = "prometheus";

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  static final int DEFAULT_MAX_SAMPLES = 10_000;

  private final PrometheusClient client;
  private final Map<String, MetricQuery> queries;
  private final int maxSamples;

  PrometheusProvider(PrometheusClient client, Map<String, MetricQuery> queries, int maxSamples) {
    this.client = client;
    this.queries = Map.copyOf(queries);
    this.maxSamples = maxSamples;
  }

  /**
   * Builds a provider from its reference; see the class documentation for the settings. Connects to
   * nothing: an unreachable Prometheus shows up as {@link Status#ERROR} samples.
   *
   * @throws ConfigurationException when a setting is missing or malformed, a query has an unknown
   *     placeholder, or an environment variable a setting names is not set
   */
  public static PrometheusProvider fromRef(ProviderRef ref) {
    return fromRef(ref, System::getenv);
  }

  /** As {@link #fromRef(ProviderRef)}, reading environment variables through {@code env}. */
  static PrometheusProvider fromRef(ProviderRef ref, Function<String, String> env) {
    Settings settings = new Settings(TYPE, ref.settings());
    URI url = baseUrl(settings.requiredString("url"));
    Duration timeout = settings.duration("timeout", DEFAULT_TIMEOUT);
    if (timeout.isNegative() || timeout.toMillis() < 1) {
      throw new ConfigurationException(TYPE + ": setting 'timeout' must be at least 1ms");
    }
    int maxSamples = settings.integer("maxSamples", DEFAULT_MAX_SAMPLES);
    if (maxSamples < 1) {
      throw new ConfigurationException(TYPE + ": setting 'maxSamples' must be at least 1");
    }
    Map<String, MetricQuery> queries = parseQueries(ref.settings().get("queries"));

    Map<String, String> fixedHeaders = new LinkedHashMap<>(settings.stringMap("headers"));
    // Settings travel in workflow inputs and history: credentials only by reference.
    for (String header : fixedHeaders.keySet()) {
      if (CREDENTIAL_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
        throw new ConfigurationException(
            TYPE
                + ": header '"
                + header
                + "' carries credentials: give it in 'headersFromEnv' (or use"
                + " 'bearerTokenEnv' / 'bearerTokenFile'), never as a plain setting");
      }
    }
    Map<String, String> fromEnvironment = Map.copyOf(settings.stringMap("headersFromEnv"));
    String tokenVariable = settings.string("bearerTokenEnv", null);
    String tokenFile = settings.string("bearerTokenFile", null);
    if (tokenVariable != null && tokenFile != null) {
      throw new ConfigurationException(
          TYPE + ": set 'bearerTokenEnv' or 'bearerTokenFile', not both");
    }
    fixedHeaders.forEach(PrometheusProvider::requireSendable);
    Map<String, String> fixed = Map.copyOf(fixedHeaders);
    // Credentials are read from the environment when a query is sent, not when the provider is
    // built: the API builds providers to check a service's settings, and only workers need the
    // secrets. A variable missing there is a configuration error of that query.
    Supplier<Map<String, String>> headerSource =
        () -> {
          Map<String, String> all = new LinkedHashMap<>(fixed);
          fromEnvironment.forEach(
              (header, variable) -> all.put(header, fromEnv(env, variable, header)));
          if (tokenVariable != null) {
            all.put("Authorization", "Bearer " + fromEnv(env, tokenVariable, "bearerTokenEnv"));
          }
          all.forEach(PrometheusProvider::requireSendable);
          return tokenFile == null ? all : withTokenFrom(all, Path.of(tokenFile));
        };
    return new PrometheusProvider(
        new PrometheusClient(url, timeout, headerSource), queries, maxSamples);
  }

  /** A metric needs a query in {@code queries}, of the shape its kind takes. */
  @Override
  public String cannotServe(String metric, Kind kind) {
    MetricQuery configured = queries.get(metric);
    if (configured == null) {
      return "no query for metric '"
          + metric
          + "' in 'queries' (metrics: "
          + String.join(", ", new TreeMap<>(queries).keySet())
          + ")";
    }
    boolean ratioQuery = configured instanceof RatioQueries;
    if (ratioQuery != (kind == Kind.RATIO)) {
      return "metric '"
          + metric
          + "' is a "
          + kind
          + (ratioQuery
              ? ", which takes one query string, not 'events' and 'total'"
              : ", which takes an object with two queries, 'events' and 'total'");
    }
    return null;
  }

  /**
   * Runs the metric's query (both, for a ratio) for the query's group and window, evaluated now.
   *
   * @return never {@code null}; see the class documentation for when it is {@link Status#NO_DATA}
   *     or {@link Status#ERROR}
   * @throws ConfigurationException when no query is configured for the metric or it does not fit
   *     the metric's kind
   */
  @Override
  public Sample fetch(Query query) {
    String problem = cannotServe(query.metric(), query.kind());
    if (problem != null) {
      throw new ConfigurationException(TYPE + ": " + problem);
    }
    MetricQuery configured = queries.get(query.metric());
    if (configured.usesInstances() && (query.targets() == null || query.targets().isEmpty())) {
      return Sample.noData("group '" + query.group() + "' has no targets to filter by");
    }
    Instant now = Instant.now();
    return switch (query.kind()) {
      case RATIO -> ratio((RatioQueries) configured, query, now);
      case SAMPLES -> samples(((SingleQuery) configured).template().render(query), now);
      case VALUE -> value(((SingleQuery) configured).template().render(query), now);
    };
  }

  private Sample ratio(RatioQueries configured, Query query, Instant now) {
    String totalQuery = configured.total().render(query);
    String eventsQuery = configured.events().render(query);
    String ran = "events: " + eventsQuery + "; total: " + totalQuery;
    Result totalResult = client.query(totalQuery, now);
    if (!(totalResult instanceof Vector total)) {
      return Sample.error(((Failure) totalResult).why() + "; total: " + totalQuery);
    }
    if (total.series().isEmpty()) {
      return Sample.noData("no series for the total; " + ran);
    }
    Result eventsResult = client.query(eventsQuery, now);
    if (!(eventsResult instanceof Vector events)) {
      return Sample.error(((Failure) eventsResult).why() + "; events: " + eventsQuery);
    }
    double totalCount = sum(total);
    double eventCount = sum(events);
    if (!Double.isFinite(totalCount) || !Double.isFinite(eventCount)) {
      return Sample.noData(
          "not a number (events " + eventCount + ", total " + totalCount + "); " + ran);
    }
    if (totalCount < 0 || eventCount < 0) {
      return Sample.error(
          "negative count (events " + eventCount + ", total " + totalCount + "); " + ran);
    }
    long totalRounded = Math.round(totalCount);
    long eventsRounded = Math.round(eventCount);
    String note = "";
    if (eventsRounded > totalRounded) {
      note = " (events " + eventsRounded + " lowered to the total)";
      eventsRounded = totalRounded;
    }
    return Sample.ratio(eventsRounded, totalRounded, ran + note + warnings(total, events));
  }

  private Sample samples(String promql, Instant now) {
    Result result = client.query(promql, now);
    if (!(result instanceof Vector vector)) {
      return Sample.error(((Failure) result).why() + "; query: " + promql);
    }
    if (vector.series().isEmpty()) {
      return Sample.noData("no series; query: " + promql);
    }
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    for (Series series : vector.series()) {
      String le = series.labels().get("le");
      Double bound = le == null ? null : bound(le);
      if (bound == null) {
        return Sample.error(
            "a SAMPLES query must give histogram buckets, series told apart by a numeric 'le'"
                + " label; got "
                + series.labels()
                + "; query: "
                + promql);
      }
      if (!Double.isFinite(series.value())) {
        return Sample.noData("bucket le=" + le + " is " + series.value() + "; query: " + promql);
      }
      buckets.merge(bound, series.value(), Double::sum);
    }
    List<Double> values = HistogramSamples.fromBuckets(buckets, maxSamples);
    if (values.isEmpty()) {
      return Sample.noData("no observations in the window; query: " + promql);
    }
    double observed = buckets.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return Sample.samples(
        values,
        String.format(
                Locale.ROOT,
                "%d values from %.1f observations in %d buckets; query: %s",
                values.size(),
                observed,
                buckets.size(),
                promql)
            + warnings(vector));
  }

  private Sample value(String promql, Instant now) {
    Result result = client.query(promql, now);
    if (!(result instanceof Vector vector)) {
      return Sample.error(((Failure) result).why() + "; query: " + promql);
    }
    if (vector.series().isEmpty()) {
      return Sample.noData("no series; query: " + promql);
    }
    if (vector.series().size() > 1) {
      return Sample.error(
          vector.series().size()
              + " series where one was expected, aggregate them (sum, avg, ...); query: "
              + promql);
    }
    double value = vector.series().get(0).value();
    if (!Double.isFinite(value)) {
      return Sample.noData("the value is " + value + "; query: " + promql);
    }
    return Sample.value(value, "query: " + promql + warnings(vector));
  }

  private static double sum(Vector vector) {
    return vector.series().stream().mapToDouble(Series::value).sum();
  }

  private static String warnings(Vector... vectors) {
    StringBuilder out = new StringBuilder();
    for (Vector vector : vectors) {
      vector.warnings().forEach(w -> out.append("; warning: ").append(w));
    }
    return out.toString();
  }

  private static Double bound(String le) {
    if (le.equals("+Inf") || le.equals("Inf")) {
      return Double.POSITIVE_INFINITY;
    }
    try {
      double value = Double.parseDouble(le);
      return Double.isNaN(value) ? null : value;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Headers whose values are credentials; refused in plain {@code headers}. */
  static final Set<String> CREDENTIAL_HEADERS =
      Set.of(
          "authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token");

  private static URI baseUrl(String text) {
    URI uri;
    try {
      uri = URI.create(text.strip());
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new ConfigurationException(
          TYPE + ": setting 'url' must be an http(s) URL such as http://prometheus:9090: " + text);
    }
    if (uri.getRawUserInfo() != null) {
      throw new ConfigurationException(
          TYPE
              + ": setting 'url' must not carry a user and password (settings end up in workflow"
              + " history): use 'headersFromEnv' for Basic authentication");
    }
    return uri;
  }

  private static Map<String, MetricQuery> parseQueries(Object raw) {
    if (!(raw instanceof Map<?, ?> map) || map.isEmpty()) {
      throw new ConfigurationException(
          TYPE + ": setting 'queries' is required: metric name to its PromQL query");
    }
    Map<String, MetricQuery> queries = new LinkedHashMap<>();
    map.forEach(
        (name, spec) -> {
          String where = "queries." + name;
          if (spec instanceof Map<?, ?> pair) {
            if (!pair.keySet().equals(Set.of("events", "total"))) {
              throw new ConfigurationException(
                  TYPE
                      + ": "
                      + where
                      + " must be one query string, or exactly 'events' and 'total' for a ratio;"
                      + " got "
                      + pair.keySet());
            }
            queries.put(
                String.valueOf(name),
                new RatioQueries(
                    QueryTemplate.parse(where + ".events", pair.get("events")),
                    QueryTemplate.parse(where + ".total", pair.get("total"))));
          } else {
            queries.put(String.valueOf(name), new SingleQuery(QueryTemplate.parse(where, spec)));
          }
        });
    return queries;
  }

  private static String fromEnv(Function<String, String> env, String variable, String setting) {
    String value = env.apply(variable);
    if (value == null || value.isBlank()) {
      throw new ConfigurationException(
          TYPE + ": environment variable " + variable + " (for " + setting + ") is not set");
    }
    return value.strip();
  }

  // The HTTP client refuses some names (Host, Content-Length...) and any value with a line break.
  private static void requireSendable(String name, String value) {
    try {
      HttpRequest.newBuilder(URI.create("http://localhost/")).header(name, value);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          TYPE + ": header '" + name + "' cannot be sent: " + e.getMessage());
    }
  }

  private static Map<String, String> withTokenFrom(Map<String, String> headers, Path file) {
    String token;
    try {
      token = Files.readString(file, UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bearer token file " + file, e);
    }
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("Authorization", "Bearer " + token);
    return all;
  }

  /** A metric's configured query: one template, or two for a ratio. */
  sealed interface MetricQuery permits SingleQuery, RatioQueries {
    boolean usesInstances();
  }

  /** The query of a VALUE or SAMPLES metric. */
  record SingleQuery(QueryTemplate template) implements MetricQuery {
    @Override
    public boolean usesInstances() {
      return template.usesInstances();
    }
  }

  /** The two queries of a RATIO metric. */
  record RatioQueries(QueryTemplate events, QueryTemplate total) implements MetricQuery {
    @Override
    public boolean usesInstances() {
      return events.usesInstances() || total.usesInstances();
    }
  }
}
