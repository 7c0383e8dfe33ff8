package dev.sluice.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.DeploymentState;
import org.junit.jupiter.api.Test;

/** The controls' first rule, which the API and the workflows' validators share. */
class DeploymentWorkflowTest {

  @Test
  void aFinishedDeploymentTakesNoControlButRetry() {
    assertThat(
            DeploymentWorkflow.rejectionOnceFinished(
                DeploymentWorkflow.PAUSE, DeploymentState.ABORTED))
        .isEqualTo("pause: deployment is already ABORTED");
    assertThat(
            DeploymentWorkflow.rejectionOnceFinished(
                DeploymentWorkflow.PROMOTE, DeploymentState.SUCCEEDED))
        .isEqualTo("promote: deployment is already SUCCEEDED");
    assertThat(
            DeploymentWorkflow.rejectionOnceFinished(
                DeploymentWorkflow.RETRY, DeploymentState.FAILED))
        .as("retry is judged by the workflow waiting for one")
        .isNull();
  }

  @Test
  void aRunningDeploymentIsLeftToTheOtherRules() {
    for (String action :
        new String[] {
          DeploymentWorkflow.PAUSE,
          DeploymentWorkflow.RESUME,
          DeploymentWorkflow.ABORT,
          DeploymentWorkflow.PROMOTE,
          DeploymentWorkflow.RETRY
        }) {
      assertThat(DeploymentWorkflow.rejectionOnceFinished(action, DeploymentState.RUNNING))
          .as(action)
          .isNull();
      assertThat(DeploymentWorkflow.rejectionOnceFinished(action, DeploymentState.PAUSED))
          .as(action)
          .isNull();
    }
  }
}
