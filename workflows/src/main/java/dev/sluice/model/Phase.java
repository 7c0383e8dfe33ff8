package dev.sluice.model;

/**
 * What a running deployment is doing now; shown in status and as the SluicePhase search attribute.
 */
public enum Phase {
  PREPARING,
  DEPLOYING,
  WAITING,
  PAUSED,
  ROLLING_BACK,
  COMPLETED
}
