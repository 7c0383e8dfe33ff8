package dev.sluice.workflows.activities;

import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import io.temporal.activity.ActivityInterface;
import java.time.Duration;

/** Traffic-router steps as activities; the router named in each call picks the adapter. */
@ActivityInterface(namePrefix = "Traffic")
public interface TrafficActivities {

  /** Drains {@code call.target()} at {@code call.router()}; see {@code TrafficRouter#drain}. */
  DrainResult drain(RouterCall call);

  /** Enables {@code call.target()} at {@code call.router()}; see {@code TrafficRouter#enable}. */
  EnableResult enable(RouterCall call);

  /** One router operation on one target; {@code timeout} bounds the wait inside the adapter. */
  record RouterCall(ProviderRef router, Target target, Duration timeout) {}
}
