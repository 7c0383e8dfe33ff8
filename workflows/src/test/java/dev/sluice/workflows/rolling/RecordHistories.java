package dev.sluice.workflows.rolling;

import dev.sluice.model.DeploymentResult;
import dev.sluice.model.RollingOptions;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the histories {@link RollingReplayTest} replays. Run it (see that test's javadoc) only
 * when a workflow change is meant to be incompatible and guarded by {@code Workflow.getVersion};
 * otherwise the committed histories are what keep today's code compatible with yesterday's runs.
 */
public final class RecordHistories {

  private RecordHistories() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Files.createDirectories(out);
    record(
        out,
        "rolling-succeeded",
        new InMemoryFleet(RollingDeploymentWorkflowTest.FLEET, "1.0.0"),
        RollingOptions.NONE);
    record(
        out,
        "rolling-rolled-back",
        new InMemoryFleet(RollingDeploymentWorkflowTest.FLEET, "1.0.0").badOn("t3", "2.0.0"),
        new RollingOptions(null, null, null, null, true));
    record(
        out,
        "rolling-drain-failed",
        new InMemoryFleet(RollingDeploymentWorkflowTest.FLEET, "1.0.0").drainFails("t2"),
        RollingOptions.NONE);
  }

  private static void record(Path out, String name, InMemoryFleet fleet, RollingOptions options)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(RollingDeploymentWorkflowImpl.class);
      worker.registerActivitiesImplementations(fleet);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      RollingDeploymentWorkflow workflow =
          client.newWorkflowStub(
              RollingDeploymentWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId(name).setTaskQueue("replay").build());
      WorkflowClient.start(workflow::run, RollingDeploymentWorkflowTest.request("2.0.0", options));
      DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);
      Files.writeString(out.resolve(name + ".json"), client.fetchHistory(name).toJson(true));
      System.out.println(name + ": " + result.state());
    }
  }
}
