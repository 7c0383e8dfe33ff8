package dev.sluice.model;

/** Where one target is within a deployment. */
public enum TargetState {
  PENDING,
  DRAINING,
  DEPLOYING,
  VERIFYING,
  ENABLING,
  UPGRADED,
  FAILED,
  ROLLING_BACK,
  ROLLED_BACK;

  /** True while the target is out of rotation because of this deployment. */
  public boolean inFlight() {
    return this == DRAINING
        || this == DEPLOYING
        || this == VERIFYING
        || this == ENABLING
        || this == ROLLING_BACK;
  }
}
