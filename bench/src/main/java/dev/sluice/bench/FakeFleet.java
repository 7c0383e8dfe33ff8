package dev.sluice.bench;

import dev.sluice.activities.ProviderRegistry;
import dev.sluice.ports.MetricProvider;
import dev.sluice.workflows.activities.DeployActivities;
import dev.sluice.workflows.activities.HealthActivities;
import dev.sluice.workflows.activities.TrafficActivities;
import dev.sluice.workflows.testing.InMemoryFleet;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the {@code history72} and {@code scale} benchmarks run real activities beside: the workflow
 * tests' {@link InMemoryFleet} as the traffic, deploy and health activities only (so the real
 * ledger and analysis activities can be registered next to it), and a metric provider answering
 * steady, healthy figures for every group as the router's default metrics.
 */
final class FakeFleet {

  /**
   * The traffic router type of the benchmarks' services; its default metrics are {@link #steady}.
   */
  static final String ROUTER = "memory";

  private FakeFleet() {}

  /** {@code fleet} as the traffic, deploy and health activities alone; see {@link #only}. */
  static Object fleetActivities(InMemoryFleet fleet) {
    return only(fleet, TrafficActivities.class, DeployActivities.class, HealthActivities.class);
  }

  /**
   * {@code fleet} as the activity {@code interfaces} alone: {@link InMemoryFleet} implements every
   * activity interface, and Temporal registers each one an object implements, so a real activity
   * beside it (the ledger's, the analysis') is only possible through a proxy with fewer.
   */
  static Object only(Object fleet, Class<?>... interfaces) {
    return Proxy.newProxyInstance(
        FakeFleet.class.getClassLoader(),
        interfaces,
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return method.getName().equals("equals")
                ? proxy == args[0]
                : method.getName().equals("hashCode")
                    ? System.identityHashCode(proxy)
                    : "FakeFleet.fleetActivities";
          }
          try {
            return method.invoke(fleet, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /**
   * Providers for the real analysis activity: router {@value #ROUTER} (its traffic is {@link
   * InMemoryFleet}'s; the registry is only asked for its metrics) with {@link #steady} metrics.
   */
  static ProviderRegistry providers() {
    MetricProvider steady = steady();
    return new ProviderRegistry()
        .router(
            ROUTER,
            ref -> {
              throw new UnsupportedOperationException("the in-memory fleet routes traffic itself");
            },
            "steady")
        .metrics("steady", ref -> steady);
  }

  /**
   * A healthy service: about 2 errors in 1,000 requests and 20 ms, the same for canary and
   * baseline, with a little variation from one fetch to the next so the judges see real-looking
   * numbers.
   */
  static MetricProvider steady() {
    AtomicLong fetches = new AtomicLong();
    return query -> {
      long n = fetches.incrementAndGet();
      return switch (query.kind()) {
        case RATIO -> MetricProvider.Sample.ratio(1 + n % 3, 1_000, "steady");
        case VALUE -> MetricProvider.Sample.value(19 + n % 3, "steady");
        case SAMPLES ->
            MetricProvider.Sample.samples(
                List.of(18.0 + n % 3, 20.0, 21.0, 19.0, 22.0, 20.0), "steady");
      };
    };
  }
}
