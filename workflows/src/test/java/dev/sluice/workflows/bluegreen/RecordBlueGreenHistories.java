package dev.sluice.workflows.bluegreen;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the histories {@link BlueGreenReplayTest} replays; see RecordHistories (rolling) for when
 * to run it.
 */
public final class RecordBlueGreenHistories {

  private RecordBlueGreenHistories() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Files.createDirectories(out);
    record(
        out,
        "bluegreen-switched",
        new InMemoryFleet(BlueGreenDeploymentWorkflowTest.FLEET, "1.0.0").activePool("blue"),
        BlueGreenDeploymentWorkflowTest.request("bluegreen-switched", BlueGreenOptions.NONE));
    record(
        out,
        "bluegreen-warm-up-failed",
        new InMemoryFleet(BlueGreenDeploymentWorkflowTest.FLEET, "1.0.0")
            .activePool("blue")
            .warmUpAnswers(new AnalysisResult(Verdict.FAIL, 2, 0, "response time 640 ms")),
        BlueGreenDeploymentWorkflowTest.request("bluegreen-warm-up-failed", BlueGreenOptions.NONE));
  }

  private static void record(Path out, String name, InMemoryFleet fleet, DeploymentRequest request)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(BlueGreenDeploymentWorkflowImpl.class);
      worker.registerActivitiesImplementations(fleet);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      BlueGreenDeploymentWorkflow workflow =
          client.newWorkflowStub(
              BlueGreenDeploymentWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId(name).setTaskQueue("replay").build());
      WorkflowClient.start(workflow::run, request);
      DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);
      Files.writeString(out.resolve(name + ".json"), client.fetchHistory(name).toJson(true));
      System.out.println(name + ": " + result.state());
    }
  }
}
