package dev.sluice.workflows.migrations;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded schema-migration histories (contract after a promote, an abort at the gate, a
 * failed backfill) against today's code; a change to the migration's command sequence without
 * {@code Workflow.getVersion} fails here. Re-record with RecordMigrationHistories.
 */
class SchemaMigrationReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"migration-completed", "migration-aborted", "migration-backfill-failed"})
  void recordedHistoriesReplayWithoutNondeterminism(String name) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", SchemaMigrationWorkflowImpl.class);
  }
}
