package dev.sluice.model;

import java.time.Duration;

/**
 * Settings of a rolling deployment. Nulls mean "not set here": {@link #orElse} layers a
 * deployment's overrides over the service's defaults over {@link #DEFAULT}.
 *
 * @param batchSize targets upgraded together, a count or a share of the fleet (default 25%, at
 *     least one)
 * @param maxUnavailable most targets out of rotation at once; caps the batch size so the fleet
 *     never drops below {@code fleet - maxUnavailable} serving targets (default: the batch size)
 * @param pauseBetweenBatches wait after each batch but the last (default 10 s)
 * @param drainTimeout longest wait for a drained target's sessions to reach zero (default 30 s)
 * @param rollbackOnFailure when a target fails, also roll back the targets already upgraded
 */
public record RollingOptions(
    IntOrPercent batchSize,
    IntOrPercent maxUnavailable,
    Duration pauseBetweenBatches,
    Duration drainTimeout,
    Boolean rollbackOnFailure) {

  public static final RollingOptions DEFAULT =
      new RollingOptions(
          IntOrPercent.percent(25), null, Duration.ofSeconds(10), Duration.ofSeconds(30), false);

  public static final RollingOptions NONE = new RollingOptions(null, null, null, null, null);

  /** These options, with every unset field taken from {@code fallback}. */
  public RollingOptions orElse(RollingOptions fallback) {
    if (fallback == null) {
      return this;
    }
    return new RollingOptions(
        batchSize != null ? batchSize : fallback.batchSize,
        maxUnavailable != null ? maxUnavailable : fallback.maxUnavailable,
        pauseBetweenBatches != null ? pauseBetweenBatches : fallback.pauseBetweenBatches,
        drainTimeout != null ? drainTimeout : fallback.drainTimeout,
        rollbackOnFailure != null ? rollbackOnFailure : fallback.rollbackOnFailure);
  }

  /**
   * Targets per batch for a fleet of {@code fleetSize}: at least one, capped by max-unavailable.
   */
  public int effectiveBatchSize(int fleetSize) {
    int batch = Math.max(1, batchSize.of(fleetSize));
    if (maxUnavailable != null) {
      batch = Math.min(batch, Math.max(1, maxUnavailable.of(fleetSize)));
    }
    return Math.min(batch, Math.max(1, fleetSize));
  }
}
