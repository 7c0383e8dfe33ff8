package dev.sluice.workflows.rolling;

import dev.sluice.model.DeploymentResult;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.Target;
import dev.sluice.workflows.common.TargetGroupWorkflowImpl;
import dev.sluice.workflows.testing.HistoryLengths;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Records the histories of a rolling deployment in target groups that {@link RollingReplayTest}
 * replays: 52 targets one at a time, so a group of 50 and one of 2; the parent's history, the small
 * group's, and a parent that rolls back through restore groups. Run it like {@link
 * RecordHistories}.
 */
public final class RecordGroupHistories {

  private RecordGroupHistories() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Files.createDirectories(out);
    List<Target> fleet = RollingAtScaleTest.fleet(52);
    RollingOptions oneAtATime = new RollingOptions(IntOrPercent.count(1), null, null, null, null);
    record(out, "rolling-groups", new InMemoryFleet(fleet, "1.0.0"), fleet, oneAtATime, true);
    record(
        out,
        "rolling-groups-rolled-back",
        new InMemoryFleet(fleet, "1.0.0").badOn("t52", "2.0.0"),
        fleet,
        new RollingOptions(IntOrPercent.count(1), null, null, null, true),
        false);
  }

  private static void record(
      Path out,
      String name,
      InMemoryFleet memory,
      List<Target> fleet,
      RollingOptions options,
      boolean lastGroup)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(
          RollingDeploymentWorkflowImpl.class, TargetGroupWorkflowImpl.class);
      worker.registerActivitiesImplementations(memory);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      RollingDeploymentWorkflow workflow =
          client.newWorkflowStub(
              RollingDeploymentWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId(name).setTaskQueue("replay").build());
      WorkflowClient.start(workflow::run, RollingAtScaleTest.request(name, fleet, options));
      DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);
      Files.writeString(out.resolve(name + ".json"), client.fetchHistory(name).toJson(true));
      if (lastGroup) {
        List<String> groups = HistoryLengths.children(client, name);
        String group = groups.get(groups.size() - 1);
        Files.writeString(
            out.resolve(name + "-group.json"), client.fetchHistory(group).toJson(true));
      }
      System.out.println(name + ": " + result.state());
    }
  }
}
