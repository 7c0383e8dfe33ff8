package dev.sluice.api.metrics;

import dev.sluice.api.common.Routes;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Set;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;

/**
 * {@code sluice_http_request_duration_seconds}: every REST request's latency by method, route
 * template ({@code /api/v1/deployments/{id}}, never the raw path, so the series stay few) and
 * status class. Measured by Jersey from matching to the response written, after the exception
 * mappers, so a mapped error is timed like any answer.
 */
public final class RequestMetrics implements ApplicationEventListener {

  /** A request that matched no resource (404, or refused before matching). */
  static final String UNMATCHED = "unmatched";

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private final Histogram latency;

  RequestMetrics(PrometheusRegistry registry) {
    this.latency =
        Histogram.builder()
            .name("sluice_http_request_duration_seconds")
            .help(
                "Latency of Sluice's REST API by method, route template and status class (2xx,"
                    + " 4xx, 5xx); long-polls (the flag snapshot's) count their wait")
            .unit(Unit.SECONDS)
            .labelNames("method", "route", "status")
            .classicOnly()
            .register(registry);
  }

  @Override
  public void onEvent(ApplicationEvent event) {}

  @Override
  public RequestEventListener onRequest(RequestEvent requestEvent) {
    long start = System.nanoTime();
    return event -> {
      if (event.getType() == RequestEvent.Type.FINISHED) {
        latency
            .labelValues(method(event), route(event), statusClass(event))
            .observe((System.nanoTime() - start) / 1e9);
      }
    };
  }

  private static String method(RequestEvent event) {
    String method = event.getContainerRequest().getMethod();
    // Jetty hands any token on as a method: unknown ones share one series.
    return METHODS.contains(method) ? method : "other";
  }

  private static String statusClass(RequestEvent event) {
    ContainerResponse response = event.getContainerResponse();
    int status = response == null ? 500 : response.getStatus();
    return (status / 100) + "xx";
  }

  /** The route's template ({@link Routes}), or {@link #UNMATCHED}. */
  static String route(RequestEvent event) {
    String path = Routes.path(event.getUriInfo());
    return path == null ? UNMATCHED : path;
  }
}
