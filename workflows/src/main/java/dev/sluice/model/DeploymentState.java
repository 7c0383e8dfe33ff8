package dev.sluice.model;

/** Where a deployment is in its life; the last four are final. */
public enum DeploymentState {
  PENDING,
  RUNNING,
  PAUSED,
  SUCCEEDED,
  /** A target failed; it was restored, and the targets already upgraded were kept. */
  FAILED,
  /** Failed or was cancelled, and every upgraded target went back to its previous version. */
  ROLLED_BACK,
  /** Stopped on request; upgraded targets were rolled back. */
  ABORTED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == ROLLED_BACK || this == ABORTED;
  }
}
