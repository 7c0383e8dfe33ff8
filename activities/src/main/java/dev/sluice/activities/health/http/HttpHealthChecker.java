package dev.sluice.activities.health.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.Target;
import dev.sluice.ports.HealthChecker;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Health check over HTTP, registered as type {@code http}: {@code GET http://host:port{path}}
 * succeeds when it answers {@code expectedStatus} and, if {@code jsonField} is set, that field of
 * the JSON body (a dotted path such as {@code checks.db}) equals {@code jsonValue}.
 *
 * <p>Redirects are not followed, and each probe has its own {@code requestTimeout}, so a probe
 * tells exactly what the target says within the time a load balancer would give it.
 */
public final class HttpHealthChecker implements HealthChecker {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BODY_EXCERPT = 200;

  private final HttpClient http;

  public HttpHealthChecker() {
    this(
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build());
  }

  HttpHealthChecker(HttpClient http) {
    this.http = http;
  }

  /**
   * Probes every {@code interval} until {@code consecutiveSuccesses} probes in a row succeed or
   * {@code timeout} passes; heartbeats a {@link Progress} after every probe. No probe starts after
   * the timeout, but one started before it gets its full {@code requestTimeout} (a probe cut short
   * would fail a target that is merely slow), so the wait may overrun the timeout by up to one
   * request timeout.
   *
   * @return the verdict; {@code lastError} says why the last failing probe failed (it may be set on
   *     a healthy result, when the target failed before it recovered)
   * @throws ConfigurationException when the target and path do not form a URL
   */
  @Override
  public HealthResult waitHealthy(Target target, HealthCheckSpec spec, Heartbeat heartbeat) {
    URI uri = uri(target, spec.path());
    int needed = Math.max(1, spec.consecutiveSuccesses());
    long started = System.nanoTime();
    long deadline = started + spec.timeout().toNanos();
    int probes = 0;
    int streak = 0;
    int passed = 0;
    int flaps = 0;
    String lastError = null;
    while (true) {
      long probeStarted = System.nanoTime();
      String error = probe(uri, spec, spec.requestTimeout());
      probes++;
      if (error == null) {
        streak++;
        passed++;
      } else {
        if (streak > 0) {
          flaps++; // it was up, and is down again
        }
        streak = 0;
        lastError = error;
      }
      heartbeat.beat(new Progress(target.id(), probes, streak, needed, error));
      if (streak >= needed) {
        return new HealthResult(true, probes, streak, lastError);
      }
      long next = probeStarted + spec.interval().toNanos();
      if (next >= deadline) {
        return new HealthResult(
            false,
            probes,
            streak,
            flaps > 0
                ? flapping(probes, passed, flaps, needed, lastError)
                : verdict(lastError, streak, needed, spec));
      }
      try {
        TimeUnit.NANOSECONDS.sleep(next - System.nanoTime());
      } catch (InterruptedException e) {
        // The worker is stopping: not a verdict on the target. Failing the activity lets
        // Temporal retry it on another worker.
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + uri, e);
      }
    }
  }

  /** One probe; {@code null} when it succeeded, otherwise why it failed. */
  private String probe(URI uri, HealthCheckSpec spec, Duration timeout) {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      return "connect timed out after " + timeout.toMillis() + " ms";
    } catch (HttpTimeoutException e) {
      return "no answer within " + timeout.toMillis() + " ms";
    } catch (ConnectException e) {
      return "connection refused";
    } catch (IOException e) {
      return describe(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing " + uri, e);
    } catch (IllegalArgumentException e) {
      // The JDK client reports an unresolvable host this way.
      return describe(e);
    }
    int expected = spec.expectedStatus();
    if (response.statusCode() != expected) {
      return "status "
          + response.statusCode()
          + " (expected "
          + expected
          + "): "
          + excerpt(response.body());
    }
    if (spec.jsonField() == null || spec.jsonField().isBlank()) {
      return null;
    }
    return checkField(response.body(), spec.jsonField(), spec.jsonValue());
  }

  private static String checkField(String body, String field, String expected) {
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return "body is not JSON: " + excerpt(body);
    }
    for (String part : field.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    if (node == null || node.isMissingNode()) {
      return "field " + field + " is missing";
    }
    if (expected == null) {
      // No value to compare with: the field being there, and not null, is the check.
      return node.isNull() ? "field " + field + " is null" : null;
    }
    String actual = node.isValueNode() ? node.asText() : node.toString();
    if (actual.equals(expected)) {
      return null;
    }
    return "field " + field + " was " + node + ", expected \"" + expected + "\"";
  }

  /** A target that went up and down again: why it failed, in words a person recognises. */
  private static String flapping(int probes, int passed, int flaps, int needed, String lastError) {
    return "flapping: "
        + passed
        + " of "
        + probes
        + " probes passed but never "
        + needed
        + " in a row (down again "
        + flaps
        + (flaps == 1 ? " time" : " times")
        + "); last failure: "
        + lastError;
  }

  private static String verdict(String lastError, int streak, int needed, HealthCheckSpec spec) {
    if (lastError != null) {
      return lastError;
    }
    // Every probe passed, there were just not enough of them before the timeout.
    return "only "
        + streak
        + " of "
        + needed
        + " successes in a row within "
        + spec.timeout().toMillis()
        + " ms";
  }

  private static String describe(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    if (cause instanceof UnresolvedAddressException) {
      return "unknown host";
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  private static String excerpt(String body) {
    String flat = body.strip().replaceAll("\\s+", " ");
    return flat.length() <= BODY_EXCERPT ? flat : flat.substring(0, BODY_EXCERPT) + "…";
  }

  private static URI uri(Target target, String path) {
    String host = target.host();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    String suffix = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
    try {
      return URI.create("http://" + host + ":" + target.port() + suffix);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          "http health check: cannot make a URL of " + target.address() + " and path " + path, e);
    }
  }

  /**
   * Heartbeat details after each probe.
   *
   * @param consecutiveSuccesses the current streak
   * @param needed successes in a row the spec asks for
   * @param error why this probe failed, {@code null} when it passed
   */
  public record Progress(
      String target, int probes, int consecutiveSuccesses, int needed, String error) {}
}
