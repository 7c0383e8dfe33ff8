package dev.sluice.model;

import java.time.Duration;
import java.util.List;

/**
 * Settings of a blue-green deployment.
 *
 * @param smokeChecks checks against the idle pool before the switch (default: {@code /health}
 *     answers 200 and {@code /api/version} names the new version)
 * @param manualApproval wait for a promote before switching
 * @param autoPromoteAfter with manual approval, switch anyway after this long (Argo's
 *     autoPromotionSeconds); null waits forever
 * @param warmUp how long to watch the new pool after the switch (default 60 s)
 * @param warmUpAnalysis thresholds of the warm-up watch
 * @param rollbackWindow how long the old pool stays deployed for an instant switch back (30 min)
 * @param stopOldPool whether to stop the old pool's instances after the rollback window
 */
public record BlueGreenOptions(
    List<SmokeCheck> smokeChecks,
    Boolean manualApproval,
    Duration autoPromoteAfter,
    Duration warmUp,
    WarmUp warmUpAnalysis,
    Duration rollbackWindow,
    Boolean stopOldPool) {

  /**
   * Warm-up thresholds: the idle pool, carrying test traffic, must stay under this error rate and
   * latency over at least this many requests before it takes the live traffic.
   */
  public record WarmUp(Double maxErrorRate, Long maxLatencyMs, Integer minRequests) {
    public static final WarmUp DEFAULT = new WarmUp(0.01, 500L, 20);
  }

  public static final BlueGreenOptions DEFAULT =
      new BlueGreenOptions(
          List.of(
              new SmokeCheck("/health", 200, null, null),
              new SmokeCheck("/api/version", 200, null, null)),
          false,
          null,
          Duration.ofSeconds(60),
          WarmUp.DEFAULT,
          Duration.ofMinutes(30),
          false);

  public static final BlueGreenOptions NONE =
      new BlueGreenOptions(null, null, null, null, null, null, null);

  public BlueGreenOptions orElse(BlueGreenOptions fallback) {
    if (fallback == null) {
      return this;
    }
    return new BlueGreenOptions(
        smokeChecks != null ? smokeChecks : fallback.smokeChecks,
        manualApproval != null ? manualApproval : fallback.manualApproval,
        autoPromoteAfter != null ? autoPromoteAfter : fallback.autoPromoteAfter,
        warmUp != null ? warmUp : fallback.warmUp,
        warmUpAnalysis != null ? warmUpAnalysis : fallback.warmUpAnalysis,
        rollbackWindow != null ? rollbackWindow : fallback.rollbackWindow,
        stopOldPool != null ? stopOldPool : fallback.stopOldPool);
  }
}
