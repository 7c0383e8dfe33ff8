package dev.sluice.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The few GETs the commands that talk to a running Sluice server make ({@code haproxy-config},
 * {@code stop-instances}). Sends {@code Authorization: Bearer $SLUICE_TOKEN} when that variable is
 * set, for a server with API tokens.
 */
final class SluiceRest {

  /** Where the commands find the server unless {@code --url} says otherwise. */
  static final String DEFAULT_URL = "http://127.0.0.1:8080";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private SluiceRest() {}

  /** An answer of the server. */
  record Answer(int status, String body) {

    boolean ok() {
      return status == 200;
    }

    /** The error's {@code message} when the body is the API's JSON error, else the body. */
    String problem() {
      try {
        JsonNode error = JSON.readTree(body);
        if (error.hasNonNull("message")) {
          return error.get("message").asText();
        }
      } catch (IOException notJson) {
        // Not the API's error body: show it as it came.
      }
      return body.strip();
    }

    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  /** {@code GET base + /api/v1/services/<service> + rest}, asking for {@code accept}. */
  static Answer getService(URI base, String service, String rest, String accept)
      throws IOException, InterruptedException {
    String path =
        "/api/v1/services/"
            + URLEncoder.encode(service, StandardCharsets.UTF_8).replace("+", "%20")
            + rest;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(strip(base.toString()) + path))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", accept);
    String token = System.getenv("SLUICE_TOKEN");
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token.strip());
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(response.statusCode(), response.body());
  }

  private static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
