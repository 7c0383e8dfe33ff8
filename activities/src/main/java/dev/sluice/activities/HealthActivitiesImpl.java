package dev.sluice.activities;

import dev.sluice.ports.HealthChecker.HealthResult;
import dev.sluice.workflows.activities.HealthActivities;

/** Dispatches health checks to the checker the spec's type names. */
public final class HealthActivitiesImpl implements HealthActivities {

  private final ProviderRegistry registry;

  public HealthActivitiesImpl(ProviderRegistry registry) {
    this.registry = registry;
  }

  @Override
  public HealthResult waitHealthy(HealthCall call) {
    return Activities.run(
        () ->
            registry
                .healthChecker(call.spec().type())
                .waitHealthy(call.target(), call.spec(), Activities.heartbeat()));
  }
}
