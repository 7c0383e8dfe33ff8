package dev.sluice.activities;

import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.FleetSource;
import dev.sluice.ports.HealthChecker;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.TrafficRouter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Maps a provider {@code type} string to the adapter that implements its port. Adding a router,
 * deployer, health checker or metric provider is one adapter package plus one registration line in
 * {@code StandardProviders}; so is a fleet source. Adapters are built once per distinct {@link
 * ProviderRef} and reused.
 *
 * <p>A router whose own counters can serve as metrics says so when it is registered ({@link
 * #router(String, Function, String)}): that metric provider, over the router's settings, is the one
 * a service's analysis gets when it names none. Nothing else in Sluice knows which router has which
 * metrics.
 */
public final class ProviderRegistry {

  private final Map<String, Function<ProviderRef, TrafficRouter>> routers = new TreeMap<>();
  private final Map<String, Function<ProviderRef, Deployer>> deployers = new TreeMap<>();
  private final Map<String, Function<ProviderRef, HealthChecker>> healthCheckers = new TreeMap<>();
  private final Map<String, Function<ProviderRef, MetricProvider>> metrics = new TreeMap<>();
  private final Map<String, Function<ProviderRef, FleetSource>> fleetSources = new TreeMap<>();
  private final Map<String, String> routerMetrics = new TreeMap<>();

  /** File name, then router type: how that router's file is rendered. */
  private final Map<String, Map<String, Function<ServiceDefinition, String>>> routerFiles =
      new TreeMap<>();

  private final Map<Object, Object> built = new ConcurrentHashMap<>();

  public ProviderRegistry router(String type, Function<ProviderRef, TrafficRouter> factory) {
    routers.put(type, factory);
    return this;
  }

  /**
   * Registers a traffic router whose counters are also a metrics source: the metric provider of
   * type {@code defaultMetrics}, built over the router's own settings, serves every service with
   * this router whose analysis names no provider (and the threshold judge and blue-green warm-up,
   * which always read the router's counters). {@code defaultMetrics} must be registered too.
   */
  public ProviderRegistry router(
      String type, Function<ProviderRef, TrafficRouter> factory, String defaultMetrics) {
    routers.put(type, factory);
    routerMetrics.put(type, defaultMetrics);
    return this;
  }

  /**
   * Registers a file a router of {@code type} can be started with, rendered from a service's
   * definition without I/O ({@code haproxy.cfg} for HAProxy): {@code render} throws {@link
   * ConfigurationException} (or {@link IllegalArgumentException}) when the router's settings cannot
   * make one.
   */
  public ProviderRegistry routerFile(
      String type, String fileName, Function<ServiceDefinition, String> render) {
    routerFiles.computeIfAbsent(fileName, f -> new TreeMap<>()).put(type, render);
    return this;
  }

  /** How {@code fileName} is rendered for a router of {@code type}; empty when it is not. */
  public Optional<Function<ServiceDefinition, String>> routerFile(String type, String fileName) {
    return type == null
        ? Optional.empty()
        : Optional.ofNullable(routerFiles.getOrDefault(fileName, Map.of()).get(type));
  }

  /** The router types for which {@code fileName} is rendered. */
  public Set<String> routerTypesRendering(String fileName) {
    return routerFiles.getOrDefault(fileName, Map.of()).keySet();
  }

  public ProviderRegistry deployer(String type, Function<ProviderRef, Deployer> factory) {
    deployers.put(type, factory);
    return this;
  }

  public ProviderRegistry healthChecker(String type, Function<ProviderRef, HealthChecker> factory) {
    healthCheckers.put(type, factory);
    return this;
  }

  /**
   * Registers a metric provider. Providers may keep state between fetches (HAProxy's counters are
   * read as differences), which is why each distinct reference gets one instance, reused.
   */
  public ProviderRegistry metrics(String type, Function<ProviderRef, MetricProvider> factory) {
    metrics.put(type, factory);
    return this;
  }

  /**
   * Registers a fleet source: where a service's targets are discovered when a deployment starts
   * ({@code ec2}, {@code elbv2}). Building one reads its settings and connects to nothing.
   */
  public ProviderRegistry fleetSource(String type, Function<ProviderRef, FleetSource> factory) {
    fleetSources.put(type, factory);
    return this;
  }

  public FleetSource fleetSource(ProviderRef ref) {
    return build("fleet source", fleetSources, ref);
  }

  public Set<String> fleetSourceTypes() {
    return fleetSources.keySet();
  }

  public MetricProvider metrics(ProviderRef ref) {
    return build("metric provider", metrics, ref);
  }

  public Set<String> metricTypes() {
    return metrics.keySet();
  }

  /**
   * The metric provider {@code router}'s registration declares as its default, over the router's
   * settings; {@code null} when it declares none or there is no router.
   */
  public ProviderRef defaultMetricProvider(ProviderRef router) {
    if (router == null || router.type() == null) {
      return null;
    }
    String type = routerMetrics.get(router.type());
    return type == null ? null : new ProviderRef(type, router.settings());
  }

  /**
   * The metric provider a service's analysis asks: the one {@code analysis} names, otherwise its
   * traffic router's {@link #defaultMetricProvider default}; {@code null} when neither exists (the
   * analysis then cannot run).
   */
  public ProviderRef metricProviderFor(AnalysisConfig analysis, ProviderRef router) {
    if (analysis != null && analysis.provider() != null) {
      return analysis.provider();
    }
    return defaultMetricProvider(router);
  }

  public TrafficRouter router(ProviderRef ref) {
    return build("traffic router", routers, ref);
  }

  public Deployer deployer(ProviderRef ref) {
    return build("deployer", deployers, ref);
  }

  public HealthChecker healthChecker(String type) {
    return build("health check", healthCheckers, ProviderRef.of(type));
  }

  public Set<String> routerTypes() {
    return routers.keySet();
  }

  public Set<String> deployerTypes() {
    return deployers.keySet();
  }

  public Set<String> healthCheckTypes() {
    return healthCheckers.keySet();
  }

  @SuppressWarnings("unchecked")
  private <T> T build(
      String kind, Map<String, Function<ProviderRef, T>> factories, ProviderRef ref) {
    if (ref == null || ref.type() == null) {
      throw new ConfigurationException(kind + ": no type given");
    }
    Function<ProviderRef, T> factory = factories.get(ref.type());
    if (factory == null) {
      throw new ConfigurationException(
          kind + ": unknown type '" + ref.type() + "', known: " + factories.keySet());
    }
    return (T) built.computeIfAbsent(List.of(kind, ref), k -> factory.apply(ref));
  }
}
