package dev.sluice.workflows.rolling;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.workflows.DeploymentWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Rolling deployment: the fleet is upgraded in batches; each target is drained, deployed,
 * health-checked and put back, so the fleet keeps serving.
 */
@WorkflowInterface
public interface RollingDeploymentWorkflow extends DeploymentWorkflow {

  String TYPE = "RollingDeployment";

  @WorkflowMethod(name = TYPE)
  DeploymentResult run(DeploymentRequest request);
}
