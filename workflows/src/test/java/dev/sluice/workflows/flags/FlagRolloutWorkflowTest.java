package dev.sluice.workflows.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.FlagRollout;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.activities.FlagActivities;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flag rollouts with time skipping: a multi-day plan, a failed gate, an abort, the kill switch, a
 * worker that replays from history at every step.
 */
public class FlagRolloutWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(FlagRolloutWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  static final List<Target> FLEET = List.of(new Target("t1", "127.0.0.1", 9001, null));

  /** The flag as the rollout leaves it: each change, in order. */
  public static final class RecordingFlags implements FlagActivities {
    final List<String> changes = new ArrayList<>();

    @Override
    public synchronized FlagChange setRollout(RolloutCall call) {
      changes.add(call.variant() + "@" + call.percent() + " by " + call.actor());
      return new FlagChange(call.flagKey(), changes.size() + 1);
    }

    @Override
    public synchronized FlagChange setVariant(RolloutCall call) {
      changes.add(call.variant() + " for everyone by " + call.actor());
      return new FlagChange(call.flagKey(), changes.size() + 1);
    }

    @Override
    public synchronized FlagChange disable(RolloutCall call) {
      changes.add("disabled by " + call.actor());
      return new FlagChange(call.flagKey(), changes.size() + 1);
    }

    public synchronized List<String> changes() {
      return List.copyOf(changes);
    }
  }

  static FlagRollout rollout(String id, FlagRollout.Gate gate, boolean kill) {
    return new FlagRollout(
        id, "new-checkout", "on", FlagRollout.defaultPlan(), gate, kill, "alice");
  }

  static FlagRollout.Gate gate() {
    return new FlagRollout.Gate(
        "checkout", ProviderRef.of("memory"), FLEET, AnalysisConfig.DEFAULT, null);
  }

  private FlagRolloutWorkflow stub(WorkflowClient client, Worker worker, String id) {
    return client.newWorkflowStub(
        FlagRolloutWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
  }

  @Test
  void theDefaultFourDayPlanRunsStageByStageAndEndsAtOneHundredPercent(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RecordingFlags flags = new RecordingFlags();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    worker.registerActivitiesImplementations(flags, fleet);
    env.start();
    long before = env.currentTimeMillis();

    FlagRolloutWorkflow.Status done =
        stub(client, worker, "fr-1").run(rollout("fr-1", gate(), false));

    assertThat(done.state()).isEqualTo("SUCCEEDED");
    assertThat(done.percent()).isEqualTo(100);
    assertThat(flags.changes())
        .containsExactly(
            "on@5 by rollout:fr-1 (alice)",
            "on@10 by rollout:fr-1 (alice)",
            "on@25 by rollout:fr-1 (alice)",
            "on@50 by rollout:fr-1 (alice)",
            "on@100 by rollout:fr-1 (alice)");
    assertThat(fleet.monitored()).as("one gate per bake").hasSize(4);
    assertThat(Duration.ofMillis(env.currentTimeMillis() - before))
        .as("four days of bakes")
        .isGreaterThanOrEqualTo(Duration.ofDays(4));
  }

  @Test
  void aFailedGateTakesTheFlagBackToZeroAtOnce(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RecordingFlags flags = new RecordingFlags();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    fleet.monitorAnswers(
        new AnalysisResult(Verdict.FAIL, 3, 0, "errors 9.00% (90/1000) above the 5.00% ceiling"));
    worker.registerActivitiesImplementations(flags, fleet);
    env.start();

    FlagRolloutWorkflow.Status done =
        stub(client, worker, "fr-2").run(rollout("fr-2", gate(), false));

    assertThat(done.state()).isEqualTo("ROLLED_BACK");
    assertThat(done.reason()).startsWith("gate failed at 5%: errors 9.00%");
    assertThat(done.percent()).isZero();
    assertThat(flags.changes())
        .containsExactly("on@5 by rollout:fr-2 (alice)", "on@0 by rollout:fr-2 (alice)");
  }

  @Test
  void aCohortGateJudgesFlagOnAgainstFlagOffAndFailsTheStage(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RecordingFlags flags = new RecordingFlags();
    InMemoryFleet fleet =
        new InMemoryFleet(FLEET, "1.0.0")
            .analyses(
                new AnalysisResult(Verdict.PASS, 10, 0, "as good as flag-off"),
                new AnalysisResult(Verdict.FAIL, 4, 0, "errors FAIL (×2.3 vs flag-off)"));
    worker.registerActivitiesImplementations(flags, fleet);
    env.start();
    FlagRollout.Gate cohorts =
        new FlagRollout.Gate(
            "checkout", ProviderRef.of("memory"), FLEET, AnalysisConfig.DEFAULT, null, true);

    FlagRolloutWorkflow.Status done =
        stub(client, worker, "fr-5").run(rollout("fr-5", cohorts, false));

    assertThat(done.state()).isEqualTo("ROLLED_BACK");
    assertThat(done.reason()).isEqualTo("gate failed at 10%: errors FAIL (×2.3 vs flag-off)");
    assertThat(fleet.analysedFor()).containsExactly(Duration.ofDays(1), Duration.ofDays(1));
    assertThat(fleet.monitored()).as("no ceilings checked").isEmpty();
    assertThat(flags.changes()).endsWith("on@0 by rollout:fr-5 (alice)");
  }

  @Test
  void aGateThatCannotJudgePausesForAPersonInsteadOfMovingOn(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RecordingFlags flags = new RecordingFlags();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    fleet.monitorAnswers(new AnalysisResult(Verdict.INCONCLUSIVE, 5, 5, "no check had data"));
    worker.registerActivitiesImplementations(flags, fleet);
    env.start();
    FlagRolloutWorkflow workflow = stub(client, worker, "fr-6");
    WorkflowClient.start(workflow::run, rollout("fr-6", gate(), false));
    // The first bake is a day: skip it (the test server moves time only when asked or awaited).
    env.sleep(Duration.ofHours(25));

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> workflow.status().state().equals("PAUSED"));
    assertThat(workflow.status().percent()).isEqualTo(5);
    assertThat(workflow.status().events())
        .anySatisfy(
            e -> assertThat(e).contains("paused for a person: the gate could not judge 5%"));
    assertThat(flags.changes()).containsExactly("on@5 by rollout:fr-6 (alice)");

    workflow.abort("metrics are down");
    FlagRolloutWorkflow.Status done =
        client.newUntypedWorkflowStub("fr-6").getResult(FlagRolloutWorkflow.Status.class);
    assertThat(done.state()).isEqualTo("ABORTED");
    assertThat(flags.changes()).endsWith("on@0 by rollout:fr-6 (alice)");
  }

  @Test
  void withTheKillSwitchOptionAFailureDisablesTheFlag(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RecordingFlags flags = new RecordingFlags();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    fleet.monitorAnswers(new AnalysisResult(Verdict.FAIL, 1, 0, "latency 1400 ms above 1000"));
    worker.registerActivitiesImplementations(flags, fleet);
    env.start();

    FlagRolloutWorkflow.Status done =
        stub(client, worker, "fr-3").run(rollout("fr-3", gate(), true));

    assertThat(done.state()).isEqualTo("ROLLED_BACK");
    assertThat(flags.changes())
        .containsExactly("on@5 by rollout:fr-3 (alice)", "disabled by rollout:fr-3 (alice)");
  }

  @Test
  void anAbortDuringABakeTakesTheFlagBackAndAPauseHoldsTheNextStage(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RecordingFlags flags = new RecordingFlags();
    worker.registerActivitiesImplementations(flags, new InMemoryFleet(FLEET, "1.0.0"));
    env.start();
    FlagRolloutWorkflow workflow = stub(client, worker, "fr-4");
    WorkflowClient.start(workflow::run, rollout("fr-4", null, false));

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> workflow.status().stage() == 1 && workflow.status().percent() == 5);
    workflow.pause("checking dashboards");
    assertThat(workflow.status().state()).isEqualTo("PAUSED");
    workflow.abort("support tickets");
    FlagRolloutWorkflow.Status done =
        client.newUntypedWorkflowStub("fr-4").getResult(FlagRolloutWorkflow.Status.class);

    assertThat(done.state()).isEqualTo("ABORTED");
    assertThat(done.reason()).isEqualTo("aborted: support tickets");
    assertThat(flags.changes())
        .containsExactly("on@5 by rollout:fr-4 (alice)", "on@0 by rollout:fr-4 (alice)");
    assertThat(done.events())
        .anySatisfy(e -> assertThat(e).endsWith("paused: checking dashboards"));
  }

  /**
   * What a worker restart amounts to: a worker that keeps nothing in memory rebuilds the workflow
   * from its history on every task, so each stage of the multi-day plan runs on a "new" worker.
   * (The test server loses a task handed to a poll of a worker shut down mid-poll, so killing a
   * worker is tested against the real dev server, in WorkerCrashIT.)
   */
  @Test
  void aWorkerThatKeepsNothingInMemoryReplaysTheMultiDayRolloutAndAppliesEachStageOnce(
      TestWorkflowEnvironment env, WorkflowClient client) throws Exception {
    RecordingFlags flags = new RecordingFlags();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    String queue = "fr-6-queue";
    WorkerFactory forgetful =
        WorkerFactory.newInstance(
            client, WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build());
    try {
      Worker worker = forgetful.newWorker(queue);
      worker.registerWorkflowImplementationTypes(FlagRolloutWorkflowImpl.class);
      worker.registerActivitiesImplementations(flags, fleet);
      env.start();
      forgetful.start();
      FlagRolloutWorkflow workflow =
          client.newWorkflowStub(
              FlagRolloutWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId("fr-6").setTaskQueue(queue).build());

      FlagRolloutWorkflow.Status done = workflow.run(rollout("fr-6", gate(), false));

      assertThat(done.state()).isEqualTo("SUCCEEDED");
      assertThat(flags.changes())
          .as("each stage applied once although every task replayed the stages before it")
          .containsExactly(
              "on@5 by rollout:fr-6 (alice)",
              "on@10 by rollout:fr-6 (alice)",
              "on@25 by rollout:fr-6 (alice)",
              "on@50 by rollout:fr-6 (alice)",
              "on@100 by rollout:fr-6 (alice)");
      assertThat(fleet.monitored()).as("one gate per bake").hasSize(4);
    } finally {
      forgetful.shutdownNow();
      forgetful.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
