package dev.sluice.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a canary deployment.
 *
 * @param steps the plan; default: 5 → 10 → 25 → 50 → 100 %, each followed by a 15 minute analysis
 * @param canaryCount how many of the fleet's targets become canaries (default 1)
 */
public record CanaryOptions(List<CanaryStep> steps, IntOrPercent canaryCount) {

  public static final CanaryOptions DEFAULT =
      new CanaryOptions(defaultPlan(), IntOrPercent.count(1));

  public static final CanaryOptions NONE = new CanaryOptions(null, null);

  /** The default plan: 5, 10, 25, 50, 100 % with a 15-minute bake (analysis) after each. */
  public static List<CanaryStep> defaultPlan() {
    List<CanaryStep> steps = new ArrayList<>();
    for (int weight : new int[] {5, 10, 25, 50, 100}) {
      steps.add(CanaryStep.weight(weight));
      steps.add(
          CanaryStep.analyse(
              new AnalysisSpec(Duration.ofMinutes(15), null, null, null, null, null, null, null)));
    }
    return List.copyOf(steps);
  }

  public CanaryOptions orElse(CanaryOptions fallback) {
    if (fallback == null) {
      return this;
    }
    return new CanaryOptions(
        steps != null ? steps : fallback.steps,
        canaryCount != null ? canaryCount : fallback.canaryCount);
  }

  /** Canary targets for a fleet of {@code fleetSize}: at least one, always leaving a stable one. */
  public int effectiveCanaryCount(int fleetSize) {
    int count = Math.max(1, canaryCount.of(fleetSize));
    return Math.min(count, Math.max(1, fleetSize - 1));
  }
}
