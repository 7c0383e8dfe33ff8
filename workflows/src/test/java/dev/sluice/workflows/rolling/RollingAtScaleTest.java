package dev.sluice.workflows.rolling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.Phase;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.common.TargetGroupWorkflowImpl;
import dev.sluice.workflows.common.TargetGroups;
import dev.sluice.workflows.testing.HistoryLengths;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fleets of real size: a rolling deployment hands its batches to target groups (child workflows),
 * so every run's history stays under Temporal's 10,000-event warning however large the fleet, and
 * failures, pauses and aborts still reach the whole fleet.
 */
class RollingAtScaleTest {

  /** Temporal warns at 10,240 events a run and ends a run at 51,200; stay clear of both. */
  static final int MAX_EVENTS_PER_RUN = 10_000;

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              RollingDeploymentWorkflowImpl.class, TargetGroupWorkflowImpl.class)
          // As the worker runs them: a group's targets take a workflow thread each.
          .setWorkerFactoryOptions(
              WorkerFactoryOptions.newBuilder().setMaxWorkflowThreadCount(3_000).build())
          .setDoNotStart(true)
          .build();

  static List<Target> fleet(int size) {
    List<Target> fleet = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      fleet.add(new Target("t" + i, "10.0." + (i / 250) + "." + (i % 250), 8080, null));
    }
    return fleet;
  }

  static DeploymentRequest request(String id, List<Target> fleet, RollingOptions options) {
    return DeploymentRequest.builder()
        .deploymentId(id)
        .service(
            new ServiceDefinition(
                "checkout",
                fleet,
                ProviderRef.of("memory"),
                ProviderRef.of("memory"),
                null,
                "rolling",
                null))
        .version("2.0.0")
        .strategy("rolling")
        .rolling(options.orElse(RollingOptions.DEFAULT))
        .requestedBy("ci")
        .build();
  }

  private static RollingDeploymentWorkflow stub(WorkflowClient client, Worker worker, String id) {
    return client.newWorkflowStub(
        RollingDeploymentWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
  }

  private static InMemoryFleet start(TestWorkflowEnvironment env, Worker worker, InMemoryFleet f) {
    worker.registerActivitiesImplementations(f);
    env.start();
    return f;
  }

  @Test
  void twoThousandTargetsInQuarterBatchesKeepEveryRunUnderTenThousandEvents(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    List<Target> targets = fleet(2000);
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(targets, "1.0.0"));

    DeploymentResult result =
        stub(client, worker, "dep-2000").run(request("dep-2000", targets, RollingOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(result.targets()).hasSize(2000).allMatch(t -> t.state() == TargetState.UPGRADED);
    assertThat(targets).allMatch(t -> fleet.version(t.id()).equals("2.0.0"));
    assertThat(fleet.maxOutOfRotation())
        .as("never more than a 25%% batch out, its groups in parallel")
        .isBetween(TargetGroups.SIZE + 1, 500);
    fleet.assertLedgerMatchesFleet();
    Map<String, Integer> runs = HistoryLengths.of(client, "dep-2000");
    assertThat(runs).as("the deployment and its 40 target groups").hasSize(41);
    assertThat(runs.values()).allMatch(events -> events < MAX_EVENTS_PER_RUN);
  }

  @Test
  void fiveHundredTargetsOneAtATimeKeepEveryRunUnderTenThousandEvents(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    List<Target> targets = fleet(500);
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(targets, "1.0.0"));
    RollingOptions oneAtATime =
        new RollingOptions(IntOrPercent.count(1), null, Duration.ofSeconds(30), null, null);

    DeploymentResult result =
        stub(client, worker, "dep-500").run(request("dep-500", targets, oneAtATime));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(targets).allMatch(t -> fleet.version(t.id()).equals("2.0.0"));
    assertThat(fleet.maxOutOfRotation()).isEqualTo(1);
    assertThat(fleet.operations())
        .as("in fleet order, across the groups' boundaries")
        .containsSubsequence("enable t1", "drain t2", "enable t50", "drain t51", "enable t500");
    fleet.assertLedgerMatchesFleet();
    assertThat(HistoryLengths.max(client, "dep-500")).isLessThan(MAX_EVENTS_PER_RUN);
  }

  @Test
  void aFailureInALaterGroupRollsTheWholeFleetBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    List<Target> targets = fleet(200);
    InMemoryFleet fleet =
        start(env, worker, new InMemoryFleet(targets, "1.0.0").badOn("t150", "2.0.0"));
    RollingOptions options =
        new RollingOptions(IntOrPercent.count(20), null, Duration.ofSeconds(5), null, true);

    DeploymentResult result =
        stub(client, worker, "dep-rb").run(request("dep-rb", targets, options));

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(result.reason()).contains("t150").contains("health check failed");
    assertThat(targets).allMatch(t -> fleet.version(t.id()).equals("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    assertThat(fleet.operations())
        .as("batches after the failed one are never started")
        .doesNotContain("drain t161");
    assertThat(result.targets())
        .filteredOn(t -> Integer.parseInt(t.id().substring(1)) <= 160)
        .allMatch(t -> t.state() == TargetState.ROLLED_BACK);
    fleet.assertLedgerMatchesFleet();
    assertThat(HistoryLengths.max(client, "dep-rb")).isLessThan(MAX_EVENTS_PER_RUN);
  }

  @Test
  void aPauseReachesATargetGroupBetweenItsBatchesAndResumeFinishes(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    List<Target> targets = fleet(120);
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(targets, "1.0.0").holdDeploy("t3"));
    RollingOptions options =
        new RollingOptions(IntOrPercent.count(10), null, Duration.ofMillis(100), null, null);
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-pause");
    WorkflowClient.start(workflow::run, request("dep-pause", targets, options));
    fleet.awaitDeployStarted("t3");

    workflow.pause(ControlRequest.of("alice", "look at the dashboards"));
    fleet.release("t3");
    Awaitility.await("the group's pause in the ledger")
        .atMost(Duration.ofSeconds(30))
        .until(() -> fleet.childEntries().stream().anyMatch(ChildEntry::paused));

    assertThat(fleet.version("t10")).isEqualTo("2.0.0");
    assertThat(fleet.operations()).as("paused before batch 2").doesNotContain("drain t11");
    ChildEntry paused =
        fleet.childEntries().stream().filter(ChildEntry::paused).findFirst().orElseThrow();
    assertThat(paused.parentDeploymentId()).isEqualTo("dep-pause");
    assertThat(paused.batch()).as("after batch 1").isEqualTo(1);

    workflow.resume(ControlRequest.of("alice", null));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(targets).allMatch(t -> fleet.version(t.id()).equals("2.0.0"));
  }

  @Test
  void anAbortWhileATargetGroupRunsRollsBackEveryUpgradedTarget(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    List<Target> targets = fleet(120);
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(targets, "1.0.0").holdDeploy("t61"));
    RollingOptions options =
        new RollingOptions(IntOrPercent.count(10), null, Duration.ofMillis(100), null, null);
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-abort");
    WorkflowClient.start(workflow::run, request("dep-abort", targets, options));
    fleet.awaitDeployStarted("t61");

    workflow.abort(ControlRequest.of("alice", "stop"));
    fleet.release("t61");
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(targets).allMatch(t -> fleet.version(t.id()).equals("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    assertThat(fleet.operations()).doesNotContain("drain t71");
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void cancellingWhileTargetGroupsRunRestoresEveryTargetTheyUpgraded(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    List<Target> targets = fleet(120);
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(targets, "1.0.0"));
    // Long pauses: the cancellation finds a group waiting between its batches, or the deployment.
    RollingOptions options =
        new RollingOptions(IntOrPercent.count(10), null, Duration.ofHours(1), null, null);
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-cancel");
    WorkflowClient.start(workflow::run, request("dep-cancel", targets, options));
    Awaitility.await("the group waits after batch 1")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                fleet.childEntries().stream()
                    .anyMatch(e -> e.phase() == Phase.WAITING && e.waiting() != null));

    WorkflowStub untyped = WorkflowStub.fromTyped(workflow);
    untyped.cancel();

    assertThatThrownBy(() -> untyped.getResult(DeploymentResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(targets).allMatch(t -> fleet.version(t.id()).equals("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    assertThat(fleet.operations())
        .as("t10 was upgraded, then restored")
        .containsSubsequence("deploy t10 2.0.0", "deploy t10 1.0.0");
    fleet.assertLedgerMatchesFleet();
  }
}
