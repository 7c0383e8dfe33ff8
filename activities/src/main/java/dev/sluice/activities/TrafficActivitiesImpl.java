package dev.sluice.activities;

import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import dev.sluice.workflows.activities.TrafficActivities;

/** Dispatches traffic steps to the router adapter the call names. */
public final class TrafficActivitiesImpl implements TrafficActivities {

  private final ProviderRegistry registry;

  public TrafficActivitiesImpl(ProviderRegistry registry) {
    this.registry = registry;
  }

  @Override
  public DrainResult drain(RouterCall call) {
    return Activities.run(
        () ->
            registry
                .router(call.router())
                .drain(call.target(), call.timeout(), Activities.heartbeat()));
  }

  @Override
  public EnableResult enable(RouterCall call) {
    return Activities.run(
        () ->
            registry
                .router(call.router())
                .enable(call.target(), call.timeout(), Activities.heartbeat()));
  }

  @Override
  public void split(SplitCall call) {
    Activities.run(
        () -> {
          registry.router(call.router()).split(call.canary(), call.stable(), call.percent());
          return null;
        });
  }

  @Override
  public void switchPool(PoolCall call) {
    Activities.run(
        () -> {
          registry.router(call.router()).switchPool(call.pool());
          return null;
        });
  }

  @Override
  public String activePool(PoolCall call) {
    return Activities.run(() -> registry.router(call.router()).activePool());
  }
}
