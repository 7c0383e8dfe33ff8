package dev.sluice.workflows.bluegreen;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded blue-green histories against today's code; a change to the blue-green workflow.s
 * command sequence without {@code Workflow.getVersion} fails here. Re-record with
 * RecordBlueGreenHistories.
 */
class BlueGreenReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"bluegreen-switched", "bluegreen-warm-up-failed"})
  void recordedHistoriesReplayWithoutNondeterminism(String name) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", BlueGreenDeploymentWorkflowImpl.class);
  }
}
