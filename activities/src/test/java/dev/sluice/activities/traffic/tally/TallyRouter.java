package dev.sluice.activities.traffic.tally;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import dev.sluice.ports.TrafficRouter;
import java.time.Duration;
import java.util.List;

/**
 * A test-only {@link TrafficRouter} over a {@link TallyBalancer}: the shape of a new router
 * adapter, in a package of its own, known to Sluice only through its registration line.
 *
 * <p>Settings ({@link ProviderRef} type {@value #TYPE}): {@code balancer} (required), the name of
 * the balancer.
 */
public final class TallyRouter implements TrafficRouter {

  public static final String TYPE = "tally";

  private final TallyBalancer balancer;

  private TallyRouter(TallyBalancer balancer) {
    this.balancer = balancer;
  }

  public static TallyRouter fromRef(ProviderRef ref) {
    return new TallyRouter(
        TallyBalancer.named(new Settings(TYPE, ref.settings()).requiredString("balancer")));
  }

  @Override
  public DrainResult drain(Target target, Duration timeout, Heartbeat heartbeat) {
    balancer.weight(known(target), 0);
    return new DrainResult(true, 0, 0);
  }

  @Override
  public EnableResult enable(Target target, Duration timeout, Heartbeat heartbeat) {
    balancer.weight(known(target), 1);
    return new EnableResult(true, "UP");
  }

  @Override
  public void split(List<Target> canary, List<Target> stable, int canaryPercent) {
    canary.forEach(t -> balancer.weight(known(t), canaryPercent));
    stable.forEach(t -> balancer.weight(known(t), 100 - canaryPercent));
  }

  @Override
  public void switchPool(String pool) {
    balancer.activePool(pool);
  }

  @Override
  public String activePool() {
    return balancer.activePool();
  }

  private String known(Target target) {
    if (!balancer.has(target.id())) {
      throw new ConfigurationException(TYPE + ": no server '" + target.id() + "'");
    }
    return target.id();
  }
}
