package dev.sluice.workflows.rolling;

import dev.sluice.workflows.common.TargetGroupWorkflowImpl;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded histories of the rolling workflow against today's code: a change to its command
 * sequence that would break running deployments fails here. Such a change needs {@code
 * Workflow.getVersion}; then record new histories next to the old ones with {@code java -cp <test
 * classpath> dev.sluice.workflows.rolling.RecordHistories} (run in the workflows module) and keep
 * both.
 */
class RollingReplayTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rolling-succeeded",
        "rolling-rolled-back",
        "rolling-drain-failed",
        "rolling-groups",
        "rolling-groups-rolled-back"
      })
  void recordedHistoriesReplayWithoutNondeterminism(String name) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", RollingDeploymentWorkflowImpl.class);
  }

  /** A target group's history (recorded by {@link RecordGroupHistories}). */
  @Test
  void aRecordedTargetGroupReplaysWithoutNondeterminism() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/rolling-groups-group.json", TargetGroupWorkflowImpl.class);
  }
}
