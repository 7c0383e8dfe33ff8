package dev.sluice.workflows.flags;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded flag-rollout histories (a gated plan to 100%, a failed gate with the kill
 * switch, a failed cohort gate, a promote, pause, resume and abort) against today's code; a change
 * to the rollout's command sequence without {@code Workflow.getVersion} fails here. Re-record with
 * RecordFlagRolloutHistories.
 */
class FlagRolloutReplayTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "flag-rollout-succeeded",
        "flag-rollout-gate-failed",
        "flag-rollout-cohorts-failed",
        "flag-rollout-paused-aborted"
      })
  void recordedHistoriesReplayWithoutNondeterminism(String name) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", FlagRolloutWorkflowImpl.class);
  }
}
