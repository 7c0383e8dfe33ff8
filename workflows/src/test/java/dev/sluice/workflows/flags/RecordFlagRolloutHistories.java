package dev.sluice.workflows.flags;

import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.FlagRollout;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.flags.FlagRolloutWorkflowTest.RecordingFlags;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.awaitility.Awaitility;

/**
 * Records the histories {@link FlagRolloutReplayTest} replays; see RecordHistories (rolling) for
 * when to run it.
 */
public final class RecordFlagRolloutHistories {

  private RecordFlagRolloutHistories() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Files.createDirectories(out);
    String succeeded = "flag-rollout-succeeded";
    record(
        out,
        succeeded,
        new InMemoryFleet(FlagRolloutWorkflowTest.FLEET, "1.0.0"),
        FlagRolloutWorkflowTest.rollout(succeeded, FlagRolloutWorkflowTest.gate(), false),
        workflow -> {});
    String gateFailed = "flag-rollout-gate-failed";
    InMemoryFleet failing = new InMemoryFleet(FlagRolloutWorkflowTest.FLEET, "1.0.0");
    failing.monitorAnswers(new AnalysisResult(Verdict.FAIL, 3, 0, "errors 9.00% above 5.00%"));
    record(
        out,
        gateFailed,
        failing,
        FlagRolloutWorkflowTest.rollout(gateFailed, FlagRolloutWorkflowTest.gate(), true),
        workflow -> {});
    String cohorts = "flag-rollout-cohorts-failed";
    record(
        out,
        cohorts,
        new InMemoryFleet(FlagRolloutWorkflowTest.FLEET, "1.0.0")
            .analyses(
                new AnalysisResult(Verdict.PASS, 10, 0, "as good as flag-off"),
                new AnalysisResult(Verdict.FAIL, 4, 0, "errors FAIL (×2.3 vs flag-off)")),
        FlagRolloutWorkflowTest.rollout(
            cohorts,
            new FlagRollout.Gate(
                "checkout",
                ProviderRef.of("memory"),
                FlagRolloutWorkflowTest.FLEET,
                AnalysisConfig.DEFAULT,
                null,
                true),
            false),
        workflow -> {});
    String aborted = "flag-rollout-paused-aborted";
    record(
        out,
        aborted,
        new InMemoryFleet(FlagRolloutWorkflowTest.FLEET, "1.0.0"),
        FlagRolloutWorkflowTest.rollout(aborted, null, false),
        workflow -> {
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> workflow.status().stage() == 1 && workflow.status().percent() == 5);
          workflow.promote("the first bake looks fine");
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> workflow.status().stage() == 2);
          workflow.pause("checking dashboards");
          workflow.resume("dashboards fine");
          workflow.abort("support tickets");
        });
  }

  private static void record(
      Path out,
      String name,
      InMemoryFleet fleet,
      FlagRollout rollout,
      Consumer<FlagRolloutWorkflow> steer)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(FlagRolloutWorkflowImpl.class);
      worker.registerActivitiesImplementations(new RecordingFlags(), fleet);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      FlagRolloutWorkflow workflow =
          client.newWorkflowStub(
              FlagRolloutWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId(name).setTaskQueue("replay").build());
      WorkflowClient.start(workflow::run, rollout);
      steer.accept(workflow);
      FlagRolloutWorkflow.Status result =
          WorkflowStub.fromTyped(workflow).getResult(FlagRolloutWorkflow.Status.class);
      Files.writeString(out.resolve(name + ".json"), client.fetchHistory(name).toJson(true));
      System.out.println(name + ": " + result.state() + " " + result.reason());
    }
  }
}
