package dev.sluice.workflows.canary;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded canary histories against today's code; a change to the canary's command sequence
 * without {@code Workflow.getVersion} fails here. Re-record with RecordCanaryHistories.
 */
class CanaryReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"canary-promoted", "canary-analysis-failed"})
  void recordedHistoriesReplayWithoutNondeterminism(String name) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", CanaryDeploymentWorkflowImpl.class);
  }
}
