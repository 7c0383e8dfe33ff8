package dev.sluice.activities.metrics.prometheus;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Instant queries against Prometheus' HTTP API ({@code POST /api/v1/query}, form-encoded, so long
 * queries fit). Never throws for what the server or network does: every outcome is a {@link
 * Result}.
 */
final class PrometheusClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_IN_MESSAGE = 300;

  private final URI endpoint;
  private final Duration timeout;
  private final Supplier<Map<String, String>> headers;
  private final HttpClient http;

  /**
   * @param baseUrl Prometheus' base URL, e.g. {@code http://prometheus:9090} or one with a path
   *     prefix; {@code /api/v1/query} is appended
   * @param headers sent with every request; asked for on every request, so a token file is re-read
   */
  PrometheusClient(URI baseUrl, Duration timeout, Supplier<Map<String, String>> headers) {
    String base = baseUrl.toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "api/v1/query");
    this.timeout = timeout;
    this.headers = headers;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  URI endpoint() {
    return endpoint;
  }

  /** Evaluates {@code promql} at {@code time}. */
  Result query(String promql, Instant time) {
    String form =
        "query="
            + URLEncoder.encode(promql, UTF_8)
            + "&time="
            + BigDecimal.valueOf(time.toEpochMilli(), 3).toPlainString()
            + "&timeout="
            + QueryTemplate.duration(timeout);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    HttpResponse<String> response;
    try {
      headers.get().forEach(request::header);
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8));
    } catch (HttpTimeoutException e) {
      return new Failure(
          "Prometheus at " + endpoint + " did not answer within " + timeout.toMillis() + "ms");
    } catch (IOException e) {
      return new Failure("Prometheus at " + endpoint + " is unreachable: " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Failure("interrupted while querying Prometheus at " + endpoint);
    } catch (UncheckedIOException e) {
      return new Failure(e.getMessage() + ": " + describe(e.getCause()));
    } catch (IllegalArgumentException e) {
      // A header the HTTP client refuses (restricted name, newline in a value).
      return new Failure("cannot send the query to " + endpoint + ": " + e.getMessage());
    }
    return parse(response.statusCode(), response.body());
  }

  /** Reads an API answer: {@code status}, {@code error}, {@code data.resultType/result}. */
  Result parse(int statusCode, String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      return new Failure(
          "Prometheus at " + endpoint + " answered HTTP " + statusCode + ": " + shorten(body));
    }
    if (statusCode != 200 || !"success".equals(root.path("status").asText())) {
      return new Failure(
          "Prometheus at "
              + endpoint
              + " answered HTTP "
              + statusCode
              + " "
              + root.path("errorType").asText("")
              + ": "
              + root.path("error").asText(shorten(body)));
    }
    List<String> warnings = new ArrayList<>();
    root.path("warnings").forEach(w -> warnings.add(w.asText()));
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText();
    List<Series> series = new ArrayList<>();
    switch (type) {
      case "vector" -> {
        for (JsonNode item : data.path("result")) {
          Map<String, String> labels = new LinkedHashMap<>();
          item.path("metric")
              .properties()
              .forEach(f -> labels.put(f.getKey(), f.getValue().asText()));
          series.add(new Series(labels, number(item.path("value").path(1).asText())));
        }
      }
      case "scalar" ->
          series.add(new Series(Map.of(), number(data.path("result").path(1).asText())));
      default -> {
        return new Failure(
            "the query must give an instant vector or a scalar, Prometheus answered a '"
                + type
                + "'");
      }
    }
    return new Vector(series, warnings);
  }

  // Prometheus writes sample values as strings: "1.5", "NaN", "+Inf", "-Inf".
  private static double number(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          yield Double.NaN;
        }
      }
    };
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    String kind = e.getClass().getSimpleName();
    return message == null || message.isBlank() ? kind : kind + " " + message;
  }

  private static String shorten(String body) {
    String flat = body == null ? "" : body.strip().replaceAll("\\s+", " ");
    return flat.length() <= MAX_BODY_IN_MESSAGE
        ? flat
        : flat.substring(0, MAX_BODY_IN_MESSAGE) + "...";
  }

  /** What a query gave. */
  sealed interface Result permits Failure, Vector {}

  /** No answer, an HTTP error or an error answer from Prometheus. */
  record Failure(String why) implements Result {}

  /** The series an instant query gave; a scalar is one series without labels. */
  record Vector(List<Series> series, List<String> warnings) implements Result {}

  /** One series of an instant vector. */
  record Series(Map<String, String> labels, double value) {}
}
