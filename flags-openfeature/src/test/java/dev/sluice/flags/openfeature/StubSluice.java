package dev.sluice.flags.openfeature;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sluice's snapshot endpoint in miniature: ETag revisions, 304 on If-None-Match, long-poll with
 * {@code waitForChange}, an optional bearer token. {@link #stop} and {@link #start} take it off and
 * back on the same port.
 */
final class StubSluice implements AutoCloseable {

  private final Object lock = new Object();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger longPolls = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private HttpServer server;
  private int port;
  private String document;
  private long revision;
  private String token;
  private volatile boolean up;
  private volatile boolean rejectLongPolls;
  private volatile long servedRevision;

  StubSluice(String document) throws IOException {
    this.document = document;
    this.revision = 1;
    start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  void requireToken(String token) {
    this.token = token;
  }

  /** A new document at the next revision; wakes long-polls. */
  void publish(String document) {
    synchronized (lock) {
      this.document = document;
      this.revision++;
      lock.notifyAll();
    }
  }

  long revision() {
    synchronized (lock) {
      return revision;
    }
  }

  /** Answers 400 to {@code waitForChange} requests, as a server without long-poll might. */
  void rejectLongPolls(boolean reject) {
    this.rejectLongPolls = reject;
  }

  /** The last revision answered with a 200 and a body. */
  long servedRevision() {
    return servedRevision;
  }

  int longPolls() {
    return longPolls.get();
  }

  int requests() {
    return requests.get();
  }

  synchronized void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.setExecutor(executor);
    server.createContext("/api/v1/flags/snapshot", this::snapshot);
    server.start();
    port = server.getAddress().getPort();
    up = true;
  }

  /** Closes the port; long-polls in progress are cut off. */
  synchronized void stop() {
    up = false;
    synchronized (lock) {
      lock.notifyAll();
    }
    server.stop(0);
  }

  @Override
  public void close() {
    if (up) {
      stop();
    }
    executor.shutdownNow();
  }

  private void snapshot(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      if (token != null
          && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      String query = exchange.getRequestURI().getQuery();
      String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
      Long known = ifNoneMatch == null ? null : Long.parseLong(ifNoneMatch.replace("\"", ""));
      if (rejectLongPolls && query != null && query.contains("waitForChange=true")) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      String body;
      long served;
      synchronized (lock) {
        if (query != null && query.contains("waitForChange=true") && known != null) {
          longPolls.incrementAndGet();
          int seconds = Integer.parseInt(query.replaceAll(".*timeout=(\\d+).*", "$1"));
          long deadline = System.nanoTime() + seconds * 1_000_000_000L;
          while (up && revision == known && System.nanoTime() < deadline) {
            try {
              lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
          if (!up) {
            return; // the server is going away: no answer
          }
        }
        body = document;
        served = revision;
      }
      exchange.getResponseHeaders().set("ETag", "\"" + served + "\"");
      if (known != null && known == served) {
        exchange.sendResponseHeaders(304, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
      servedRevision = served;
    }
  }
}
