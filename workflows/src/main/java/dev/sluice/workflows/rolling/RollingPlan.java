package dev.sluice.workflows.rolling;

import dev.sluice.model.RollingOptions;
import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.List;

/** Splits a fleet into rolling batches. Pure: same input, same batches, on every replay. */
final class RollingPlan {

  private RollingPlan() {}

  /** The fleet in its own order, cut into batches of {@link RollingOptions#effectiveBatchSize}. */
  static List<List<Target>> batches(List<Target> fleet, RollingOptions options) {
    int size = options.effectiveBatchSize(fleet.size());
    List<List<Target>> batches = new ArrayList<>();
    for (int i = 0; i < fleet.size(); i += size) {
      batches.add(List.copyOf(fleet.subList(i, Math.min(fleet.size(), i + size))));
    }
    return batches;
  }
}
