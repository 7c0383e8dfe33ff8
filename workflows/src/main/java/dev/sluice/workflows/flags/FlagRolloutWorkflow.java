package dev.sluice.workflows.flags;

import dev.sluice.model.FlagRollout;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * A durable flag rollout: stage by stage over hours or days, surviving worker restarts. Steered by
 * signals (also from the Temporal UI's "Send signal"): {@code promote} ends the current bake,
 * {@code pause} holds before the next stage, {@code resume}, {@code abort} takes the flag back.
 */
@WorkflowInterface
public interface FlagRolloutWorkflow {

  @WorkflowMethod
  Status run(FlagRollout rollout);

  @QueryMethod
  Status status();

  @SignalMethod
  void promote(String reason);

  @SignalMethod
  void pause(String reason);

  @SignalMethod
  void resume(String reason);

  @SignalMethod
  void abort(String reason);

  /** The states a rollout's {@link Status#state} names. */
  enum State {
    RUNNING,
    PAUSED,
    SUCCEEDED,
    /** A gate failed: the flag was taken back. */
    ROLLED_BACK,
    ABORTED,
    FAILED,
    /** Cancelled from the Temporal UI (the workflow then ends cancelled). */
    CANCELED
  }

  /**
   * Where a rollout is.
   *
   * @param state a {@link State}'s name: RUNNING, PAUSED, SUCCEEDED, ROLLED_BACK (a gate failed),
   *     ABORTED or FAILED (a string on the wire: the API and the release read it)
   * @param stage the current stage, from 1 (0 before the first)
   * @param stages how many there are
   * @param percent the variant's share now
   * @param reason why it ended, when it did not succeed
   * @param events what happened, oldest first
   */
  record Status(
      String state, int stage, int stages, int percent, String reason, List<String> events) {}
}
