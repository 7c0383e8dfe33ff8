package dev.sluice.workflows.migrations;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded dual-write histories (every phase to new-only; mismatches, a resume and an abort
 * back to old-only) against today's code; a change to the migration's command sequence without
 * {@code Workflow.getVersion} fails here. Re-record with RecordMigrationHistories.
 */
class DualWriteReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"dual-write-completed", "dual-write-paused-rolled-back"})
  void recordedHistoriesReplayWithoutNondeterminism(String name) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", DualWriteMigrationWorkflowImpl.class);
  }
}
