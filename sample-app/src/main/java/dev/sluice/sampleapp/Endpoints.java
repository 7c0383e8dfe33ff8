package dev.sluice.sampleapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The sample app's HTTP endpoints: {@code /}, {@code /health}, {@code /api/version}, {@code
 * /metrics}.
 */
final class Endpoints implements HttpHandler {

  private static final Set<String> KNOWN_PATHS =
      Set.of("/", "/health", "/api/version", "/metrics", "/checkout", "/profiles");
  private static final long MAX_DELAY_MS = 120_000;
  private static final long MIN_FREE_DISK_BYTES = 16L << 20;

  private final SampleAppConfig config;
  private final Metrics metrics;
  private final ThreadPoolExecutor pool;
  private final BooleanSupplier draining;
  private final IntSupplier inFlight;
  private final AtomicLong served = new AtomicLong();
  private final Checkout checkout;
  private final Profiles profiles;
  private final Path scratch = Path.of(System.getProperty("java.io.tmpdir"));

  Endpoints(
      SampleAppConfig config,
      Metrics metrics,
      ThreadPoolExecutor pool,
      BooleanSupplier draining,
      IntSupplier inFlight,
      Checkout checkout,
      Profiles profiles) {
    this.checkout = checkout;
    this.profiles = profiles;
    this.config = config;
    this.metrics = metrics;
    this.pool = pool;
    this.draining = draining;
    this.inFlight = inFlight;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long started = System.nanoTime();
    String path = exchange.getRequestURI().getPath();
    String label =
        KNOWN_PATHS.contains(path) ? path : path.startsWith("/profiles/") ? "/profiles" : "other";
    String method = exchange.getRequestMethod();
    Response response;
    try {
      response = route(method, path, exchange.getRequestURI().getRawQuery());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response = json(503, Map.of("error", "interrupted"));
    } catch (RuntimeException e) {
      metrics.record(label, 500, System.nanoTime() - started);
      exchange.close();
      throw e;
    }
    // Counted before the answer goes out: a client that has its response finds it in /metrics.
    metrics.record(label, response.status(), System.nanoTime() - started);
    try {
      send(exchange, response, "HEAD".equals(method) && response.status() != 503);
    } finally {
      exchange.close();
    }
  }

  private Response route(String method, String path, String query) throws InterruptedException {
    // HAProxy's plain "option httpchk" probes with OPTIONS: answer it rather than fail the check.
    if ("OPTIONS".equals(method)) {
      return new Response(204, null, new byte[0]);
    }
    if (path.startsWith("/profiles/") && path.length() > "/profiles/".length()) {
      return profile(method, path.substring("/profiles/".length()), query);
    }
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      return json(405, Map.of("error", "only GET, HEAD and OPTIONS are supported"));
    }
    return switch (path) {
      case "/" -> root(query);
      case "/health" -> health();
      case "/api/version" -> json(200, identity());
      case "/checkout" -> {
        Map<String, Object> body = identity();
        body.putAll(checkout.decide(queryParameter(query, "user", "anonymous")));
        yield json(200, body);
      }
      case "/metrics" ->
          new Response(
              200,
              Metrics.CONTENT_TYPE,
              (metrics.render(config.version(), config.target(), inFlight.getAsInt())
                      + profiles.metricsText())
                  .getBytes(StandardCharsets.UTF_8));
      default -> json(404, Map.of("error", "no such path: " + path));
    };
  }

  /**
   * The "business" endpoint: does a little CPU work, then behaves as the version is configured to
   * (extra latency, injected errors). {@code ?delayMs=N} holds the request so tests can have
   * requests in flight during a shutdown.
   */
  private Response root(String query) throws InterruptedException {
    long delayMs;
    try {
      delayMs = Math.min(MAX_DELAY_MS, Long.parseLong(queryParameter(query, "delayMs", "0")));
    } catch (NumberFormatException e) {
      return json(400, Map.of("error", "delayMs must be a whole number"));
    }
    String work = work(config.version() + "/" + served.incrementAndGet());
    long wait = config.behavior().latencyMs() + Math.max(0, delayMs);
    if (wait > 0) {
      Thread.sleep(wait);
    }
    Map<String, Object> body = identity();
    if (ThreadLocalRandom.current().nextDouble() < config.behavior().errorRate()) {
      body.put("error", "injected failure");
      return json(500, body);
    }
    body.put("work", work);
    return json(200, body);
  }

  /**
   * A deep health check: it exercises what the app needs to serve (scratch disk, a free worker, its
   * own request logic) instead of merely answering, so a broken version is caught before it takes
   * traffic.
   */
  private Response health() {
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("disk", diskCheck());
    // This request occupies a worker itself: saturated means no other worker is free.
    checks.put(
        "worker-pool", pool.getActiveCount() < pool.getMaximumPoolSize() ? "ok" : "saturated");
    checks.put("self-test", selfTest());
    List<String> failing =
        checks.entrySet().stream()
            .filter(e -> !"ok".equals(e.getValue()))
            .map(Map.Entry::getKey)
            .toList();

    int status = 503;
    String state;
    if (draining.getAsBoolean()) {
      state = "draining";
    } else if (!failing.isEmpty()) {
      state = "failing";
    } else {
      status = 200;
      state = "ok";
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", state);
    body.putAll(identity());
    body.put("checks", checks);
    if (!failing.isEmpty()) {
      body.put("failing", String.join(",", failing));
    }
    return json(status, body);
  }

  /**
   * Runs the version's own request logic once. A version configured unhealthy fails here, the way a
   * build with a broken code path would.
   */
  private String selfTest() {
    if (!config.behavior().healthy()) {
      return "failing";
    }
    return work("self-test").length() == 16 ? "ok" : "failing";
  }

  private String diskCheck() {
    try {
      if (!Files.isWritable(scratch)) {
        return "not writable";
      }
      return Files.getFileStore(scratch).getUsableSpace() >= MIN_FREE_DISK_BYTES
          ? "ok"
          : "low space";
    } catch (IOException e) {
      return "error: " + e.getMessage();
    }
  }

  private Map<String, Object> identity() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", config.version());
    body.put("target", config.target());
    return body;
  }

  /** A few rounds of SHA-256: enough CPU to show up in latency, little enough to stay sub-ms. */
  private static String work(String seed) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] value = seed.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 64; i++) {
        value = digest.digest(value);
      }
      return HexFormat.of().formatHex(value, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The dual-write example: a profile read or written through the repository. */
  private Response profile(String method, String id, String query) {
    try {
      if ("GET".equals(method)) {
        Map<String, Object> body = profiles.read(id);
        return body == null ? json(404, Map.of("error", "no profile " + id)) : json(200, body);
      }
      if ("PUT".equals(method)) {
        String value = queryParameter(query, "value", null);
        if (value == null) {
          return json(400, Map.of("error", "value is required"));
        }
        profiles.write(
            id,
            URLDecoder.decode(value, StandardCharsets.UTF_8),
            queryParameter(query, "only", null));
        return json(200, Map.of("id", id));
      }
      return json(405, Map.of("error", "GET or PUT"));
    } catch (Exception e) {
      return json(500, Map.of("error", String.valueOf(e.getMessage())));
    }
  }

  private static String queryParameter(String query, String name, String fallback) {
    if (query == null) {
      return fallback;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return pair.substring(eq + 1);
      }
    }
    return fallback;
  }

  private static Response json(int status, Map<String, ?> body) {
    return new Response(
        status, "application/json", Json.object(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, Response response, boolean headersOnly)
      throws IOException {
    if (response.status() == 204 || response.status() == 405) {
      exchange.getResponseHeaders().set("Allow", "GET, HEAD, OPTIONS");
    }
    if (response.contentType() != null) {
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
    }
    boolean noBody = headersOnly || response.body().length == 0;
    // -1 tells the server there is no body; for HEAD, Content-Length is then left out.
    exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body().length);
    if (!noBody) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.body());
      }
    }
  }

  private record Response(int status, String contentType, byte[] body) {}
}
