package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.DeploymentWorkflow;
import java.util.HashMap;
import java.util.Map;

/**
 * What the controls (pause, resume, abort, promote, retry) have asked for, and the rules of which
 * control is accepted when, so every strategy validates them alike. The waits read the requests;
 * nothing here blocks or records.
 */
final class ControlRules {

  private boolean pauseRequested;
  private boolean abortRequested;
  private boolean promoteRequested;
  private boolean promoteFull;
  private boolean retryRequested;
  private boolean waitingForRetry;
  private boolean retryPending;
  private String abortReason;
  private final Map<String, String> closed = new HashMap<>();

  /** What a promote would end now (a pause, a bake, a gate); null when nothing is promotable. */
  private String promotable;

  /**
   * Why {@code action} cannot be applied now, in the words the API returns with 409 ("resume:
   * deployment is not paused"), or {@code null} when it can. Validators throw with it; signals that
   * do not apply are ignored.
   *
   * @param parentDeploymentId the parent of a child deployment (a canary's promotion), or null
   */
  String rejection(
      String action,
      ControlRequest control,
      String parentDeploymentId,
      DeploymentState state,
      Phase phase) {
    if (action.equals(DeploymentWorkflow.RETRY)) {
      if (retryRequested || retryPending) {
        return "retry: deployment is already being retried";
      }
      if (parentDeploymentId != null) {
        return "retry: retry the parent deployment " + parentDeploymentId;
      }
      if (state == DeploymentState.SUCCEEDED) {
        return "retry: deployment succeeded";
      }
      // Accepted from the moment the outcome is final (the ledger shows it), even before the
      // workflow has begun its wait for a retry.
      return state.isFinal() ? null : "retry: deployment is still running";
    }
    String finished = DeploymentWorkflow.rejectionOnceFinished(action, state);
    if (finished != null) {
      return finished;
    }
    if (waitingForRetry) {
      return action + ": deployment is already " + state;
    }
    if (closed.containsKey(action)) {
      return action + ": " + closed.get(action);
    }
    if (abortRequested) {
      return action.equals(DeploymentWorkflow.ABORT)
          ? "abort: deployment is already aborting"
          : action + ": deployment is aborting";
    }
    switch (action) {
      case DeploymentWorkflow.PAUSE:
        return pauseRequested ? "pause: deployment is already paused" : null;
      case DeploymentWorkflow.RESUME:
        return pauseRequested ? null : "resume: deployment is not paused";
      case DeploymentWorkflow.PROMOTE:
        if (control != null && control.isFull()) {
          return promoteFull ? "promote: deployment is already being promoted fully" : null;
        }
        // Also accepted as the deployment enters a wait (the phase is shown before the wait
        // begins): the promote then ends that wait as soon as it starts.
        return promotable != null
                || pauseRequested
                || phase == Phase.WAITING
                || phase == Phase.ANALYSING
            ? null
            : "promote: deployment is not paused or waiting";
      default:
        return null; // abort
    }
  }

  void pause() {
    pauseRequested = true;
  }

  void resume() {
    pauseRequested = false;
  }

  void abort(String reason) {
    abortRequested = true;
    abortReason = reason;
  }

  /**
   * Ends the current wait (while the deployment waits or analyses), with {@code full} every later
   * one too; a promote while paused also resumes.
   *
   * @return what the promote ends, or null when nothing was promotable
   */
  String promote(boolean full, Phase phase) {
    String waiting = promotable;
    if (full) {
      promoteFull = true;
    }
    if (promotable != null || phase == Phase.WAITING || phase == Phase.ANALYSING) {
      promoteRequested = true;
    }
    pauseRequested = false;
    return waiting;
  }

  void retry() {
    retryRequested = true;
  }

  /** Marks a retry as being checked (the ledger is asked for the lock); no second one meanwhile. */
  void retryPending(boolean pending) {
    retryPending = pending;
  }

  /** Closes a control for the rest of the attempt, with the reason a rejection gives. */
  void close(String action, String why) {
    closed.put(action, why);
  }

  boolean pauseRequested() {
    return pauseRequested;
  }

  boolean abortRequested() {
    return abortRequested;
  }

  String abortReason() {
    return abortReason;
  }

  boolean promoteRequested() {
    return promoteRequested;
  }

  /** The promote that ended a wait has been acted on. */
  void promoteHandled() {
    promoteRequested = false;
  }

  boolean promotedFully() {
    return promoteFull;
  }

  boolean retryRequested() {
    return retryRequested;
  }

  boolean retryPending() {
    return retryPending;
  }

  /** What a promote would end now; null when nothing waits. */
  void promotable(String what) {
    promotable = what;
  }

  void waitingForRetry(boolean waiting) {
    waitingForRetry = waiting;
  }

  /** Forgets every request of the attempt that ended, for the next one. */
  void resetForRetry() {
    retryRequested = false;
    pauseRequested = false;
    abortRequested = false;
    abortReason = null;
    promoteRequested = false;
    promoteFull = false;
    closed.clear();
  }
}
