package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The Sluice REST API as the CLI calls it: JSON in and out, {@code Authorization: Bearer} with the
 * token when there is one. Every failure — the server unreachable, an error answer — is an {@link
 * ApiException} whose message is one line a person can act on.
 */
final class SluiceApi {

  static final String DEFAULT_URL = "http://127.0.0.1:8080";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final String token;
  private final HttpClient http;

  SluiceApi(URI base, String token) {
    String url = base.toString();
    this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    this.token = token == null || token.isBlank() ? null : token.strip();
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /**
   * The server's address and token from {@code --url}, else {@code SLUICE_URL}; {@code
   * SLUICE_TOKEN}.
   */
  static SluiceApi from(String url, Map<String, String> env) {
    String chosen = url != null ? url : env.getOrDefault("SLUICE_URL", DEFAULT_URL);
    URI uri;
    try {
      uri = URI.create(chosen.strip());
    } catch (IllegalArgumentException e) {
      throw new ApiException("SLUICE_URL / --url is not a URL: " + chosen);
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new ApiException("SLUICE_URL / --url must be http(s)://host[:port], not " + chosen);
    }
    return new SluiceApi(uri, env.get("SLUICE_TOKEN"));
  }

  URI base() {
    return base;
  }

  JsonNode get(String path) {
    return send("GET", path, null, Map.of());
  }

  JsonNode post(String path, JsonNode body) {
    return post(path, body, Map.of());
  }

  JsonNode post(String path, JsonNode body, Map<String, String> headers) {
    return send("POST", path, body == null ? JsonNodeFactory.instance.objectNode() : body, headers);
  }

  JsonNode delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  /** One path segment, escaped. */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(String method, String path, JsonNode body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(CALL_TIMEOUT)
            .header("Accept", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(
              method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }
    HttpResponse<String> response;
    try {
      response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException e) {
      throw new ApiException(
          "cannot reach Sluice at "
              + base
              + " (connection refused): is the server running? set SLUICE_URL or --url");
    } catch (HttpTimeoutException e) {
      throw new ApiException(
          "Sluice at "
              + base
              + " did not answer "
              + method
              + " "
              + path
              + " within "
              + CALL_TIMEOUT.toSeconds()
              + " s");
    } catch (IOException e) {
      throw new ApiException("cannot reach Sluice at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException("interrupted");
    }
    JsonNode answer = parse(response.body());
    if (response.statusCode() >= 400) {
      throw ApiException.answered(response.statusCode(), answer, response.body());
    }
    return answer;
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return JsonNodeFactory.instance.objectNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return JsonNodeFactory.instance.textNode(body.strip());
    }
  }

  /** A failed call, as one line; {@link #status} is the HTTP status, 0 when none came. */
  static final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    ApiException(String message) {
      this(0, message);
    }

    private ApiException(int status, String message) {
      super(message);
      this.status = status;
    }

    int status() {
      return status;
    }

    /** {@code 409 deployment_in_progress: checkout has … (field x)} from the API's error body. */
    static ApiException answered(int status, JsonNode error, String raw) {
      if (!error.isObject() || !error.hasNonNull("message")) {
        String text = raw == null ? "" : raw.strip();
        return new ApiException(
            status, status + ": " + (text.length() > 300 ? text.substring(0, 300) + "…" : text));
      }
      StringBuilder line = new StringBuilder().append(status);
      if (error.hasNonNull("error")) {
        line.append(' ').append(error.get("error").asText());
      }
      line.append(": ").append(error.get("message").asText());
      JsonNode errors = error.path("errors");
      if (errors.isArray() && errors.size() > 1) {
        for (JsonNode each : errors) {
          line.append("; ")
              .append(each.path("field").asText("?"))
              .append(": ")
              .append(each.path("message").asText());
        }
      }
      return new ApiException(status, line.toString());
    }
  }
}
