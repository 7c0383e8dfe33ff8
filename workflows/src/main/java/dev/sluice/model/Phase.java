package dev.sluice.model;

/**
 * What a running deployment is doing now; shown in status and as the SluicePhase search attribute.
 */
public enum Phase {
  PREPARING,
  DEPLOYING,
  WAITING,
  /** A canary's analysis step: watching the canary against the stable servers. */
  ANALYSING,
  /** Moving traffic: a canary weight step, a blue-green switch, a warm-up watch. */
  SHIFTING,
  /** A canary's stable servers (or a blue-green's) being brought to the new version. */
  PROMOTING,
  PAUSED,
  ROLLING_BACK,
  COMPLETED
}
