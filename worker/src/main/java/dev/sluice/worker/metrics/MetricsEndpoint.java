package dev.sluice.worker.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} of a standalone worker, which has no Dropwizard server: the registry in
 * Prometheus' text format (OpenMetrics when the scraper asks for it) on its own port. The API
 * process serves its registry (with an embedded worker's figures) from its own connectors instead.
 */
public final class MetricsEndpoint implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Serves {@code registry} at {@code http://host:port/metrics}; port 0 picks a free one. */
  public static MetricsEndpoint start(String host, int port, PrometheusRegistry registry)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    ExpositionFormats formats = ExpositionFormats.init();
    server.createContext(
        "/metrics",
        exchange -> {
          try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())
                && !"HEAD".equals(exchange.getRequestMethod())) {
              exchange.sendResponseHeaders(405, -1);
              return;
            }
            answer(exchange, formats, registry);
          }
        });
    // One thread: a scrape every few seconds needs no more, and a slow one cannot pile up.
    ExecutorService executor = Executors.newSingleThreadExecutor(MetricsEndpoint::thread);
    server.setExecutor(executor);
    server.start();
    return new MetricsEndpoint(server, executor);
  }

  private static void answer(
      HttpExchange exchange, ExpositionFormats formats, PrometheusRegistry registry)
      throws IOException {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    ExpositionFormatWriter writer = formats.findWriter(accept);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writer.write(body, registry.scrape(), EscapingScheme.fromAcceptHeader(accept));
    exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(200, head ? -1 : body.size());
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        body.writeTo(out);
      }
    }
  }

  private static Thread thread(Runnable r) {
    Thread t = new Thread(r, "sluice-worker-metrics");
    t.setDaemon(true);
    return t;
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
  }
}
