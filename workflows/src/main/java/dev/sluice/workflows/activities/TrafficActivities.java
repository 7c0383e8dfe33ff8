package dev.sluice.workflows.activities;

import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import io.temporal.activity.ActivityInterface;
import java.time.Duration;
import java.util.List;

/** Traffic-router steps as activities; the router named in each call picks the adapter. */
@ActivityInterface(namePrefix = "Traffic")
public interface TrafficActivities {

  /** Drains {@code call.target()} at {@code call.router()}; see {@code TrafficRouter#drain}. */
  DrainResult drain(RouterCall call);

  /** Enables {@code call.target()} at {@code call.router()}; see {@code TrafficRouter#enable}. */
  EnableResult enable(RouterCall call);

  /** Splits traffic between canary and stable targets; see {@code TrafficRouter#split}. */
  void split(SplitCall call);

  /** Switches all traffic to a pool atomically; see {@code TrafficRouter#switchPool}. */
  void switchPool(PoolCall call);

  /** The pool taking traffic now, or null; see {@code TrafficRouter#activePool}. */
  String activePool(PoolCall call);

  record SplitCall(ProviderRef router, List<Target> canary, List<Target> stable, int percent) {}

  /** {@code pool} is ignored by {@code activePool}. */
  record PoolCall(ProviderRef router, String pool) {}

  /** One router operation on one target; {@code timeout} bounds the wait inside the adapter. */
  record RouterCall(ProviderRef router, Target target, Duration timeout) {}
}
