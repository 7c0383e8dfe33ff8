package dev.sluice.activities;

import dev.sluice.model.ProviderRef;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.HealthChecker;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.TrafficRouter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Maps a provider {@code type} string to the adapter that implements its port. Adding a router,
 * deployer, health checker or metric provider is one adapter package plus one registration line in
 * {@code StandardProviders}. Adapters are built once per distinct {@link ProviderRef} and reused.
 */
public final class ProviderRegistry {

  private final Map<String, Function<ProviderRef, TrafficRouter>> routers = new TreeMap<>();
  private final Map<String, Function<ProviderRef, Deployer>> deployers = new TreeMap<>();
  private final Map<String, Function<ProviderRef, HealthChecker>> healthCheckers = new TreeMap<>();
  private final Map<String, Function<ProviderRef, MetricProvider>> metrics = new TreeMap<>();
  private final Map<Object, Object> built = new ConcurrentHashMap<>();

  public ProviderRegistry router(String type, Function<ProviderRef, TrafficRouter> factory) {
    routers.put(type, factory);
    return this;
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

  public MetricProvider metrics(ProviderRef ref) {
    return build("metric provider", metrics, ref);
  }

  public java.util.Set<String> metricTypes() {
    return metrics.keySet();
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

  public java.util.Set<String> routerTypes() {
    return routers.keySet();
  }

  public java.util.Set<String> deployerTypes() {
    return deployers.keySet();
  }

  public java.util.Set<String> healthCheckTypes() {
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
    return (T) built.computeIfAbsent(java.util.List.of(kind, ref), k -> factory.apply(ref));
  }
}
