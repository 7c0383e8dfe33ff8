package dev.sluice.workflows.activities;

import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.Target;
import dev.sluice.ports.HealthChecker.HealthResult;
import io.temporal.activity.ActivityInterface;

/** Health checks as activities; {@code spec.type()} picks the checker. */
@ActivityInterface(namePrefix = "Health")
public interface HealthActivities {

  /** Waits until the target is healthy or the spec's timeout passes; heartbeats per probe. */
  HealthResult waitHealthy(HealthCall call);

  record HealthCall(Target target, HealthCheckSpec spec) {}
}
