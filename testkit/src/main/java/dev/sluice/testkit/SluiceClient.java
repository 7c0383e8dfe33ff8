package dev.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A small client of Sluice's REST API, as CI or the demo would use it. */
public final class SluiceClient {

  private final URI base;
  private final String actor;
  private final String token;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = Jackson.newObjectMapper();

  public SluiceClient(URI base, String actor) {
    this(base, actor, null);
  }

  /**
   * A client of a server with tokens configured.
   *
   * @param token sent as {@code Authorization: Bearer token}; null to send none
   */
  public SluiceClient(URI base, String actor, String token) {
    this.base = base;
    this.actor = actor;
    this.token = token;
  }

  /** A response: status and parsed JSON body. */
  public record Answer(int status, JsonNode body) {
    public Answer expect(int... wanted) {
      for (int w : wanted) {
        if (status == w) {
          return this;
        }
      }
      throw new IllegalStateException("Sluice answered " + status + ": " + body);
    }
  }

  public Answer put(String path, Object body) {
    return send("PUT", path, body, null);
  }

  public Answer post(String path, Object body) {
    return send("POST", path, body, null);
  }

  public Answer post(String path, Object body, String idempotencyKey) {
    return send("POST", path, body, idempotencyKey);
  }

  public Answer get(String path) {
    return send("GET", path, null, null);
  }

  /**
   * Starts a canary deployment of {@code service} with these steps ({@code setWeight}, {@code
   * pause}, {@code analysis} as the API takes them).
   *
   * @return the deployment's id
   */
  public String startCanary(String service, String version, List<Map<String, Object>> steps) {
    return post(
            "/api/v1/deployments",
            Map.of(
                "service",
                service,
                "version",
                version,
                "strategy",
                "canary",
                "canary",
                Map.of("steps", steps)))
        .expect(202)
        .body()
        .path("id")
        .asText();
  }

  private Answer send(String method, String path, Object body, String idempotencyKey) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(Duration.ofSeconds(30))
              .header("Accept", "application/json")
              .header("X-Sluice-Actor", actor);
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      if (idempotencyKey != null) {
        request.header("Idempotency-Key", idempotencyKey);
      }
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(
                method,
                HttpRequest.BodyPublishers.ofString(
                    body instanceof String s ? s : json.writeValueAsString(body)));
      }
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode parsed =
          response.body().isBlank() ? json.nullNode() : json.readTree(response.body());
      return new Answer(response.statusCode(), parsed);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Polls a deployment until its state is final, handing every new event to {@code onEvent}.
   *
   * @return the deployment's last view
   */
  public JsonNode awaitFinal(String deploymentId, Duration timeout, Consumer<JsonNode> onEvent) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<Integer> seen = new HashSet<>();
    while (true) {
      JsonNode view = get("/api/v1/deployments/" + deploymentId).expect(200).body();
      for (JsonNode event : view.path("events")) {
        if (seen.add(event.path("seq").asInt())) {
          onEvent.accept(event);
        }
      }
      String state = view.path("state").asText();
      if (Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED").contains(state)) {
        return view;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "deployment " + deploymentId + " not finished after " + timeout + ": " + view);
      }
      pause(250);
    }
  }

  /** Polls until {@code done} holds for the deployment's view. */
  public JsonNode awaitDeployment(String deploymentId, Duration timeout, Predicate<JsonNode> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode view = get("/api/v1/deployments/" + deploymentId).expect(200).body();
      if (done.test(view)) {
        return view;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("condition not met after " + timeout + ": " + view);
      }
      pause(200);
    }
  }

  private static void pause(long millis) {
    try {
      // Polling a remote API between requests; there is nothing local to wait on.
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
