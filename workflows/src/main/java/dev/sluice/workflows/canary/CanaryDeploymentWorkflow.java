package dev.sluice.workflows.canary;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.workflows.DeploymentWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Canary deployment (with Argo Rollouts' step semantics): a few targets get the new version and a
 * growing share of traffic, step by step, watched against the stable servers; then the stable
 * servers follow.
 */
@WorkflowInterface
public interface CanaryDeploymentWorkflow extends DeploymentWorkflow {

  String TYPE = "CanaryDeployment";

  @WorkflowMethod(name = TYPE)
  DeploymentResult run(DeploymentRequest request);
}
