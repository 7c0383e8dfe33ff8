package dev.sluice.workflows.canary;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.rolling.RollingDeploymentWorkflowImpl;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the histories {@link CanaryReplayTest} replays; see RecordHistories (rolling) for when to
 * run it.
 */
public final class RecordCanaryHistories {

  private RecordCanaryHistories() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Files.createDirectories(out);
    record(
        out,
        "canary-promoted",
        new InMemoryFleet(CanaryDeploymentWorkflowTest.FLEET, "1.0.0"),
        CanaryDeploymentWorkflowTest.request("canary-promoted", CanaryDeploymentWorkflowTest.PLAN));
    record(
        out,
        "canary-analysis-failed",
        new InMemoryFleet(CanaryDeploymentWorkflowTest.FLEET, "1.0.0")
            .analyses(new AnalysisResult(Verdict.FAIL, 3, 0, "canary error rate 12%")),
        CanaryDeploymentWorkflowTest.request(
            "canary-analysis-failed", CanaryDeploymentWorkflowTest.PLAN));
  }

  private static void record(Path out, String name, InMemoryFleet fleet, DeploymentRequest request)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(
          CanaryDeploymentWorkflowImpl.class, RollingDeploymentWorkflowImpl.class);
      worker.registerActivitiesImplementations(fleet);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      CanaryDeploymentWorkflow workflow =
          client.newWorkflowStub(
              CanaryDeploymentWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId(name).setTaskQueue("replay").build());
      WorkflowClient.start(workflow::run, request);
      DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);
      Files.writeString(out.resolve(name + ".json"), client.fetchHistory(name).toJson(true));
      System.out.println(name + ": " + result.state());
    }
  }
}
