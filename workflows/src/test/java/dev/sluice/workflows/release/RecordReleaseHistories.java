package dev.sluice.workflows.release;

import dev.sluice.workflows.flags.FlagRolloutWorkflowImpl;
import dev.sluice.workflows.flags.FlagRolloutWorkflowTest.RecordingFlags;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflowImpl;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflowTest.Recording;
import dev.sluice.workflows.release.ReleaseWorkflow.Stage;
import dev.sluice.workflows.release.ReleaseWorkflow.Status;
import dev.sluice.workflows.rolling.RollingDeploymentWorkflowImpl;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Records the histories {@link ReleaseReplayTest} replays (the release's own; its stages' children
 * have theirs); see RecordHistories (rolling) for when to run it.
 */
public final class RecordReleaseHistories {

  private RecordReleaseHistories() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Files.createDirectories(out);
    record(
        out,
        "release-completed",
        new InMemoryFleet(ReleaseWorkflowTest.FLEET, "1.0.0"),
        workflow -> {
          ReleaseWorkflowTest.awaitStage(workflow, Stage.GATE);
          workflow.promote("all green");
        });
    record(
        out,
        "release-aborted",
        new InMemoryFleet(ReleaseWorkflowTest.FLEET, "1.0.0"),
        workflow -> {
          ReleaseWorkflowTest.awaitStage(workflow, Stage.GATE);
          workflow.abort("support tickets");
        });
    record(
        out,
        "release-deployment-failed",
        new InMemoryFleet(ReleaseWorkflowTest.FLEET, "1.0.0").badVersion("2.0.0"),
        workflow -> {});
  }

  private static void record(
      Path out, String name, InMemoryFleet fleet, Consumer<ReleaseWorkflow> steer)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(
          ReleaseWorkflowImpl.class,
          SchemaMigrationWorkflowImpl.class,
          RollingDeploymentWorkflowImpl.class,
          FlagRolloutWorkflowImpl.class);
      worker.registerActivitiesImplementations(new Recording(), fleet, new RecordingFlags());
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      ReleaseWorkflow workflow =
          ReleaseWorkflowTest.start(client, worker, ReleaseWorkflowTest.release(name));
      steer.accept(workflow);
      Status result = client.newUntypedWorkflowStub(name).getResult(Status.class);
      Files.writeString(out.resolve(name + ".json"), client.fetchHistory(name).toJson(true));
      System.out.println(name + ": " + result.stage() + " " + result.reason());
    }
  }
}
