package dev.sluice.workflows.bluegreen;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.workflows.DeploymentWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Blue-green deployment: the new version goes to the idle pool, is smoke-tested there, then all
 * traffic switches to it in one router operation; the old pool stays deployed for an instant switch
 * back.
 */
@WorkflowInterface
public interface BlueGreenDeploymentWorkflow extends DeploymentWorkflow {

  String TYPE = "BlueGreenDeployment";

  @WorkflowMethod(name = TYPE)
  DeploymentResult run(DeploymentRequest request);
}
