package dev.sluice.workflows.common;

/**
 * Every {@code Workflow.getVersion} change id, in one place: a change id is part of the recorded
 * history, so its string must never change, and two changes must never share one. Each names a
 * change to a workflow's command sequence; the javadoc says what version 1 (or 2) brought.
 */
public final class ChangeIds {

  private ChangeIds() {}

  /** Each wait (what, since, until) is recorded when it begins. */
  public static final String RECORD_WAITS = "record-waits";

  /** The SluiceState search attribute, set with the outcome and again on a retry. */
  public static final String SLUICE_STATE = "sluice-state";

  /** The wait for a retry, added after the first recorded histories. */
  public static final String WAIT_FOR_RETRY = "wait-for-retry";

  /** The post-deploy monitoring window (automatic rollback after the deployment). */
  public static final String AUTO_ROLLBACK = "auto-rollback";

  /** Analysis steps judged by the sequential judge rather than thresholds. */
  public static final String SEQUENTIAL_JUDGE = "sequential-judge";

  /**
   * When previous versions are learned: version 1 on the first attempt only; version 2 on every
   * attempt, since the fleet may have changed between two attempts (another deployment, a failed
   * restore) and restoring what it ran before the first would undo that.
   */
  public static final String LEARN_PREVIOUS_ONCE = "learn-previous-once";

  /** Blue-green: traffic is switched back before the ledger hears of the rollback. */
  public static final String SWITCH_BACK_FIRST = "switch-back-first";

  /** Canary: the canary's traffic is cut before the ledger hears of the rollback. */
  public static final String CUT_TRAFFIC_FIRST = "cut-traffic-first";

  /** Release: a release records its deployments' ends and its rollback in the ledger. */
  public static final String RELEASE_LEDGER_RECORDS = "release-ledger-records";

  /**
   * Fleets larger than {@link TargetGroups#SIZE}: their targets are upgraded, smoke-tested, stopped
   * and restored by {@link TargetGroupWorkflow} children of at most that many targets each (a
   * rolling deployment's consecutive small batches share one child), so no run's history grows with
   * the fleet.
   */
  public static final String TARGET_GROUPS = "target-groups";

  /**
   * Progress goes to the ledger through a local activity (a marker in the history) instead of an
   * activity task: two thirds of a deployment's activities were ledger writes, each a round trip
   * through the Temporal server.
   */
  public static final String LEDGER_LOCAL_ACTIVITY = "ledger-local-activity";

  /**
   * The traffic step of a rollback (a canary's cut, a blue-green switch back) runs as a local
   * activity in the workflow task that decides on it, instead of an activity task the server
   * dispatches: an abort takes users off the new version one server round trip sooner.
   */
  public static final String URGENT_TRAFFIC_LOCALLY = "urgent-traffic-locally";
}
