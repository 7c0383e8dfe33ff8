package dev.sluice.api.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The registry in Prometheus' text format, or OpenMetrics when the scraper asks for it (Prometheus
 * does): the format chosen from the {@code Accept} header by the client library. A servlet, not a
 * REST resource: a scrape is not part of the API (nor of its latency histogram, nor of its
 * document), and the same servlet serves both connectors.
 */
final class MetricsServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient PrometheusRegistry registry;
  private final transient ExpositionFormats formats = ExpositionFormats.init();

  MetricsServlet(PrometheusRegistry registry) {
    this.registry = registry;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String accept = request.getHeader("Accept");
    ExpositionFormatWriter writer = formats.findWriter(accept);
    // Rendered first: a collector that fails then answers 500, not a half-written 200.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writer.write(body, registry.scrape(), EscapingScheme.fromAcceptHeader(accept));
    response.setStatus(200);
    response.setContentType(writer.getContentType());
    response.setContentLength(body.size());
    body.writeTo(response.getOutputStream());
  }
}
