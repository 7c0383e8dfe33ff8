package dev.sluice.activities.metrics.haproxystats;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.model.Target;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server in the test JVM standing in for one target behind HAProxy. {@code /health}
 * answers 200; {@code /} takes {@code delayMs}, then answers 500 to every {@code failEvery}-th
 * request, closes the connection without an answer on every {@code dropEvery}-th (HAProxy sees an
 * empty response) and answers 200 otherwise; 0 turns a behaviour off. {@code /hold} answers 200 at
 * once but keeps the body open until {@link #release()}; {@code /wait} answers nothing until then,
 * and 200 after; {@code /drop} closes the connection without an answer.
 */
final class StatsBackend implements AutoCloseable {

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY each answer waits for
    // the peer's delayed ACK, about 40 ms, which would swamp the configured delay.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final String name;
  private final String pool;
  private final long delayMs;
  private final int failEvery;
  private final int dropEvery;
  private final AtomicLong served = new AtomicLong();
  private final AtomicBoolean holding = new AtomicBoolean();
  private volatile CountDownLatch released = new CountDownLatch(1);
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  private StatsBackend(String name, String pool, long delayMs, int failEvery, int dropEvery) {
    this.name = name;
    this.pool = pool;
    this.delayMs = delayMs;
    this.failEvery = failEvery;
    this.dropEvery = dropEvery;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/health", exchange -> respond(exchange, 200));
    server.createContext("/hold", this::hold);
    server.createContext("/wait", this::await);
    server.createContext("/drop", this::drop);
    server.createContext("/", this::handle);
    server.start();
  }

  static StatsBackend start(String name, String pool, long delayMs, int failEvery, int dropEvery) {
    return new StatsBackend(name, pool, delayMs, failEvery, dropEvery);
  }

  /** The target HAProxy knows this backend as: id = name, on loopback. */
  Target target() {
    return new Target(name, "127.0.0.1", server.getAddress().getPort(), pool);
  }

  /** Whether a {@code /hold} or {@code /wait} request is being held. */
  boolean holding() {
    return holding.get();
  }

  /** Lets every request held now finish; later ones are held again. */
  void release() {
    CountDownLatch held = released;
    released = new CountDownLatch(1);
    held.countDown();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    long n = served.incrementAndGet();
    if (delayMs > 0) {
      try {
        // The simulated work of the request, not a wait for a condition.
        Thread.sleep(delayMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.close();
        return;
      }
    }
    if (dropEvery > 0 && n % dropEvery == 0) {
      exchange.close();
      return;
    }
    respond(exchange, failEvery > 0 && n % failEvery == 0 ? 500 : 200);
  }

  private void hold(HttpExchange exchange) throws IOException {
    CountDownLatch until = released;
    holding.set(true);
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write('[');
      out.flush();
      until.await(30, TimeUnit.SECONDS);
      out.write(']');
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      holding.set(false);
    }
  }

  private void drop(HttpExchange exchange) throws IOException {
    if (name.equals(exchange.getRequestHeaders().getFirst("X-Drop"))) {
      exchange.close();
      return;
    }
    respond(exchange, 200);
  }

  private void await(HttpExchange exchange) throws IOException {
    CountDownLatch until = released;
    holding.set(true);
    try {
      until.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      holding.set(false);
    }
    respond(exchange, 200);
  }

  private void respond(HttpExchange exchange, int status) throws IOException {
    byte[] body = name.getBytes(UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    try (var out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
