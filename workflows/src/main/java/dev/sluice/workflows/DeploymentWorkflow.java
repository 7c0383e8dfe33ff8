package dev.sluice.workflows;

import dev.sluice.model.DeploymentState;
import dev.sluice.model.DeploymentStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * Controls and status every deployment workflow offers, whatever its strategy. Each control is an
 * Update with a validator (a rejected update answers with the reason, which the API turns into 409)
 * and a Signal of the same meaning, so the Temporal UI's "Send signal" works too. Cancelling the
 * workflow means abort with rollback. After an abort or a failure the workflow waits a while for
 * {@code retry} before it closes.
 */
public interface DeploymentWorkflow {

  String PAUSE = "pause";
  String RESUME = "resume";
  String ABORT = "abort";
  String PROMOTE = "promote";
  String RETRY = "retry";
  String STATUS = "status";

  /**
   * The controls' first rule, applied by the API before it sends a control and by the workflow's
   * validators: a finished deployment takes no control but retry (which its workflow, still waiting
   * for one, judges itself).
   *
   * @return the rejection in the words the API answers with 409, or null when the rule allows it
   */
  static String rejectionOnceFinished(String action, DeploymentState state) {
    return state.isFinal() && !action.equals(RETRY)
        ? action + ": deployment is already " + state
        : null;
  }

  @QueryMethod(name = STATUS, description = "Live status: phase, batch, targets, recent events.")
  DeploymentStatus status();

  @UpdateMethod(
      name = PAUSE,
      description = "Pause before the next batch. Rejected when already paused or finished.")
  ControlResponse pause(ControlRequest request);

  @UpdateValidatorMethod(updateName = PAUSE)
  void validatePause(ControlRequest request);

  @UpdateMethod(
      name = RESUME,
      description = "Resume a paused deployment. Rejected when not paused.")
  ControlResponse resume(ControlRequest request);

  @UpdateValidatorMethod(updateName = RESUME)
  void validateResume(ControlRequest request);

  @UpdateMethod(
      name = ABORT,
      description =
          "Stop after the targets in flight and roll back upgraded targets. Rejected when finished"
              + " or already aborting.")
  ControlResponse abort(ControlRequest request);

  @UpdateValidatorMethod(updateName = ABORT)
  void validateAbort(ControlRequest request);

  @UpdateMethod(
      name = PROMOTE,
      description =
          "Skip the current pause, bake or approval gate; with full=true skip every remaining step,"
              + " pause and analysis. Rejected when the deployment is not waiting.")
  ControlResponse promote(ControlRequest request);

  @UpdateValidatorMethod(updateName = PROMOTE)
  void validatePromote(ControlRequest request);

  @UpdateMethod(
      name = RETRY,
      description =
          "Start again after an abort or a failure, from the beginning. Rejected while the"
              + " deployment runs, after it succeeded, or when another deployment holds the service.")
  ControlResponse retry(ControlRequest request);

  @UpdateValidatorMethod(updateName = RETRY)
  void validateRetry(ControlRequest request);

  @SignalMethod(
      name = "promote-signal",
      description =
          "Same as the promote update, for the Temporal UI; ignored when it does not apply.")
  void promoteSignal(ControlRequest request);

  @SignalMethod(
      name = "retry-signal",
      description =
          "Same as the retry update, for the Temporal UI; ignored when it does not apply.")
  void retrySignal(ControlRequest request);

  @SignalMethod(
      name = "pause-signal",
      description =
          "Same as the pause update, for the Temporal UI; ignored when it does not apply.")
  void pauseSignal(ControlRequest request);

  @SignalMethod(
      name = "resume-signal",
      description =
          "Same as the resume update, for the Temporal UI; ignored when it does not apply.")
  void resumeSignal(ControlRequest request);

  @SignalMethod(
      name = "abort-signal",
      description =
          "Same as the abort update, for the Temporal UI; ignored when it does not apply.")
  void abortSignal(ControlRequest request);
}
