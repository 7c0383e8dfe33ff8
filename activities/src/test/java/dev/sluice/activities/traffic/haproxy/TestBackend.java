package dev.sluice.activities.traffic.haproxy;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.model.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server in the test JVM standing in for one target behind HAProxy. {@code /health}
 * answers 200; {@code /} answers 200 with the server's name, after {@code delayMs} when given (to
 * hold a session open) and with {@code status} when given (to produce 5xx). A backend started with
 * a pool carries it in its target and names it in an {@code X-Pool} response header.
 */
final class TestBackend implements AutoCloseable {

  static {
    // The JDK server writes headers and body separately; with Nagle's algorithm on, the body waits
    // for the peer's delayed ACK of the headers, about 40 ms per request. Read once, when the JDK
    // server's config class loads, which in this module only this class makes happen.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final String name;
  private final String pool;
  private int port;
  private HttpServer server;
  private ExecutorService executor;

  private TestBackend(String name, String pool) {
    this.name = name;
    this.pool = pool;
  }

  /** Starts a backend on a free loopback port. */
  static TestBackend start(String name) {
    return start(name, null);
  }

  /** Starts a backend of {@code pool} on a free loopback port. */
  static TestBackend start(String name, String pool) {
    TestBackend backend = new TestBackend(name, pool);
    backend.listen(0);
    return backend;
  }

  /** The target HAProxy knows this backend as: id = name, on loopback, in its pool if any. */
  Target target() {
    return new Target(name, "127.0.0.1", port, pool);
  }

  String name() {
    return name;
  }

  /** Stops answering: connections to the port are refused from now on. */
  synchronized void stop() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  /** Listens again on the same port, as a restarted process would. */
  synchronized void restart() {
    stop();
    listen(port);
  }

  @Override
  public void close() {
    stop();
    if (executor != null) {
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized void listen(int wantedPort) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", wantedPort), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + wantedPort, e);
    }
    port = server.getAddress().getPort();
    // One thread per request: a held request must not block health checks.
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/health", exchange -> respond(exchange, 200, "ok"));
    server.createContext("/", this::handle);
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    long delayMs = Long.parseLong(query.getOrDefault("delayMs", "0"));
    if (delayMs > 0) {
      try {
        // Simulates a slow request being processed; this is the work, not a wait on a condition.
        Thread.sleep(delayMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.close();
        return;
      }
    }
    if (pool != null) {
      exchange.getResponseHeaders().add("X-Pool", pool);
    }
    respond(exchange, Integer.parseInt(query.getOrDefault("status", "200")), name);
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> values = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          values.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
    }
    return values;
  }
}
