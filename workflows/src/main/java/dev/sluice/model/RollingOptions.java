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
 * @param byZone one zone at a time (targets' {@link Target#zone() zone}, zones in the order the
 *     fleet first names them): every batch within one zone, shares of batch size and max
 *     unavailable taken of the zone, and a {@code zoneBake} between zones (default off)
 * @param zoneBake wait after each zone but the last, watched by post-deploy monitoring's ceilings
 *     when the deployment has auto-rollback (default 5 min)
 * @param minHealthyPerZone targets of a zone that stay in service while it rolls: caps the batch at
 *     the zone's size minus this (a share rounds up; default none)
 */
public record RollingOptions(
    IntOrPercent batchSize,
    IntOrPercent maxUnavailable,
    Duration pauseBetweenBatches,
    Duration drainTimeout,
    Boolean rollbackOnFailure,
    Boolean byZone,
    Duration zoneBake,
    IntOrPercent minHealthyPerZone) {

  public static final RollingOptions DEFAULT =
      new RollingOptions(
          IntOrPercent.percent(25),
          null,
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          false,
          false,
          Duration.ofMinutes(5),
          null);

  public static final RollingOptions NONE =
      new RollingOptions(null, null, null, null, null, null, null, null);

  /** Options that roll the fleet as one, whatever its zones. */
  public RollingOptions(
      IntOrPercent batchSize,
      IntOrPercent maxUnavailable,
      Duration pauseBetweenBatches,
      Duration drainTimeout,
      Boolean rollbackOnFailure) {
    this(
        batchSize,
        maxUnavailable,
        pauseBetweenBatches,
        drainTimeout,
        rollbackOnFailure,
        null,
        null,
        null);
  }

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
        rollbackOnFailure != null ? rollbackOnFailure : fallback.rollbackOnFailure,
        byZone != null ? byZone : fallback.byZone,
        zoneBake != null ? zoneBake : fallback.zoneBake,
        minHealthyPerZone != null ? minHealthyPerZone : fallback.minHealthyPerZone);
  }

  /** Whether the rollout goes one zone at a time. */
  public boolean rollsByZone() {
    return Boolean.TRUE.equals(byZone);
  }

  /**
   * Targets per batch within a zone of {@code zoneSize}: {@link #effectiveBatchSize} of the zone,
   * capped so {@code minHealthyPerZone} stay in service; 0 when no batch can keep that many.
   */
  public int zoneBatchSize(int zoneSize) {
    int batch = effectiveBatchSize(zoneSize);
    int keep = minHealthyIn(zoneSize);
    return Math.min(batch, zoneSize - keep);
  }

  /** {@code minHealthyPerZone} of a zone of {@code zoneSize}, a share rounded up; 0 when unset. */
  public int minHealthyIn(int zoneSize) {
    if (minHealthyPerZone == null) {
      return 0;
    }
    return minHealthyPerZone.percent()
        ? (int) Math.ceil(minHealthyPerZone.value() * zoneSize / 100.0)
        : minHealthyPerZone.value();
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
