package dev.sluice.workflows.release;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded release histories (every stage to contract; an abort at the gate undoing the
 * flag, the deployment and the migration; a failed deployment) against today's code; a change to
 * the release's command sequence without {@code Workflow.getVersion} fails here. Re-record with
 * RecordReleaseHistories.
 */
class ReleaseReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"release-completed", "release-aborted", "release-deployment-failed"})
  void recordedHistoriesReplayWithoutNondeterminism(String name) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", ReleaseWorkflowImpl.class);
  }
}
