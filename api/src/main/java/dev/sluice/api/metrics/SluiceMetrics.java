package dev.sluice.api.metrics;

import dev.sluice.api.auth.TokenLookup;
import dev.sluice.ledger.Ledger;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;

/**
 * Sluice's own metrics in Prometheus' format: deployments and verdicts from the ledger, REST
 * latency, flag evaluations served, an embedded worker's step durations and the JVM's figures, in
 * one registry per application, served at {@code /metrics} on the application port and {@code
 * /prometheus} on the admin port (Dropwizard's {@code /metrics} there is its own JSON).
 */
public final class SluiceMetrics {

  /** The scrape path on the application connector. */
  public static final String PATH = "/metrics";

  /** The scrape path on the admin connector. */
  public static final String ADMIN_PATH = "/prometheus";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final FlagEvaluationMetrics flagEvaluations;
  private final RequestMetrics requests;

  /** Registers the ledger's counts, the request and flag metrics and the JVM's. */
  public SluiceMetrics(Ledger ledger) {
    registry.register(new LedgerMetrics(ledger));
    this.flagEvaluations = new FlagEvaluationMetrics(registry);
    this.requests = new RequestMetrics(registry);
    JvmMetrics.builder().register(registry);
  }

  /** Where an embedded worker registers its activity durations. */
  public PrometheusRegistry registry() {
    return registry;
  }

  public FlagEvaluationMetrics flagEvaluations() {
    return flagEvaluations;
  }

  /**
   * Times the REST API's requests and serves the registry on both connectors.
   *
   * @param tokens when any exists, {@code /metrics} on the application port needs one (any role)
   * @param publicMetrics serve the application port's {@code /metrics} without a token anyway
   */
  public void install(Environment environment, TokenLookup tokens, boolean publicMetrics) {
    environment.jersey().register(requests);
    MetricsServlet servlet = new MetricsServlet(registry);
    environment.servlets().addServlet("prometheus", servlet).addMapping(PATH);
    if (!publicMetrics) {
      environment
          .servlets()
          .addFilter("prometheus-token", new MetricsTokenFilter(tokens))
          .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, PATH);
    }
    environment.admin().addServlet("prometheus", servlet).addMapping(ADMIN_PATH);
  }
}
