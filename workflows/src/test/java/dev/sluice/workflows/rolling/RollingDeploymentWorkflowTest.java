package dev.sluice.workflows.rolling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.Phase;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.SluiceSearchAttributes;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import dev.sluice.workflows.common.TargetGroupWorkflowImpl;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RollingDeploymentWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              RollingDeploymentWorkflowImpl.class, TargetGroupWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  static final List<Target> FLEET =
      List.of(
          new Target("t1", "127.0.0.1", 9001, null),
          new Target("t2", "127.0.0.1", 9002, null),
          new Target("t3", "127.0.0.1", 9003, null),
          new Target("t4", "127.0.0.1", 9004, null));

  static DeploymentRequest request(String version, RollingOptions overrides) {
    ServiceDefinition service =
        new ServiceDefinition(
            "checkout",
            FLEET,
            ProviderRef.of("memory"),
            ProviderRef.of("memory"),
            null,
            "rolling",
            null);
    return DeploymentRequest.builder()
        .deploymentId("dep-" + version)
        .service(service)
        .version(version)
        .strategy("rolling")
        .rolling(overrides.orElse(RollingOptions.DEFAULT))
        .requestedBy("ci")
        .build();
  }

  /**
   * For tests that hold a deploy: the test server skips time only while a client waits for a
   * result, so pauses between batches would otherwise pass in real time.
   */
  static final RollingOptions SHORT_PAUSES =
      new RollingOptions(null, null, Duration.ofMillis(100), null, null);

  static RollingOptions batch(String size) {
    return new RollingOptions(IntOrPercent.parse(size), null, null, null, null);
  }

  private RollingDeploymentWorkflow stub(WorkflowClient client, Worker worker, String id) {
    return client.newWorkflowStub(
        RollingDeploymentWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
  }

  private InMemoryFleet start(TestWorkflowEnvironment env, Worker worker, InMemoryFleet fleet) {
    worker.registerActivitiesImplementations(fleet);
    env.start();
    return fleet;
  }

  @Test
  void upgradesEveryTargetBatchByBatchWithDrainDeployCheckEnable(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));

    DeploymentResult result =
        stub(client, worker, "dep-2.0.0").run(request("2.0.0", RollingOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(result.targets())
        .allSatisfy(
            t -> {
              assertThat(t.state()).isEqualTo(TargetState.UPGRADED);
              assertThat(t.version()).isEqualTo("2.0.0");
              assertThat(t.previousVersion()).isEqualTo("1.0.0");
            });
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("2.0.0"));
    // 25% of four targets: one at a time, each drained, deployed, checked, enabled in order.
    assertThat(fleet.maxOutOfRotation()).isEqualTo(1);
    assertThat(fleet.operations())
        .containsSubsequence("drain t1", "deploy t1 2.0.0", "health t1", "enable t1", "drain t2")
        .containsSubsequence("drain t4", "deploy t4 2.0.0", "health t4", "enable t4");
    assertThat(fleet.outOfRotation()).isEmpty();
  }

  @Test
  void batchSizeIsCappedByMaxUnavailable(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    RollingOptions options =
        new RollingOptions(IntOrPercent.percent(100), IntOrPercent.count(2), null, null, null);

    DeploymentResult result = stub(client, worker, "dep-cap").run(request("2.0.0", options));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.maxOutOfRotation()).isEqualTo(2);
  }

  @Test
  void targetsOfOneBatchAreUpgradedInParallel(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));

    stub(client, worker, "dep-par").run(request("2.0.0", batch("50%")));

    assertThat(fleet.maxOutOfRotation()).isEqualTo(2);
    LedgerEntry last = fleet.ledger().get(fleet.ledger().size() - 1);
    assertThat(last.batches()).isEqualTo(2);
  }

  @Test
  void failedHealthCheckRestoresThatTargetAndStopsWithFailed(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(env, worker, new InMemoryFleet(FLEET, "1.0.0").badOn("t2", "3.0.0"));

    DeploymentResult result =
        stub(client, worker, "dep-3.0.0").run(request("3.0.0", RollingOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(result.reason())
        .contains("t2")
        .contains("health check failed")
        .contains("status 503");
    assertThat(fleet.version("t1")).isEqualTo("3.0.0");
    assertThat(fleet.version("t2")).isEqualTo("1.0.0");
    assertThat(fleet.version("t3")).isEqualTo("1.0.0");
    assertThat(fleet.operations()).doesNotContain("drain t3", "drain t4");
    assertThat(fleet.outOfRotation()).as("the restored target is back in rotation").isEmpty();
    assertThat(state(result, "t2")).isEqualTo(TargetState.ROLLED_BACK);
    assertThat(state(result, "t1")).isEqualTo(TargetState.UPGRADED);
  }

  @Test
  void aTargetThatFailsBeforeItsDeployIsPutBackWithoutRedeploying(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").drainFails("t2"));

    DeploymentResult result =
        stub(client, worker, "dep-drain").run(request("2.0.0", RollingOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(result.reason()).contains("t2").contains("router unreachable");
    assertThat(fleet.operations()).doesNotContain("deploy t2 1.0.0", "deploy t2 2.0.0");
    assertThat(fleet.operations()).contains("enable t2");
    assertThat(state(result, "t2")).isEqualTo(TargetState.ROLLED_BACK);
    assertThat(fleet.version("t2")).isEqualTo("1.0.0");
  }

  @Test
  void aRouterBrieflyUnreachableIsRetriedAndTheDeploymentGoesOn(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(env, worker, new InMemoryFleet(FLEET, "1.0.0").drainFailsTimes("t2", 2));

    DeploymentResult result =
        stub(client, worker, "dep-flaky-router").run(request("2.0.0", RollingOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.operations())
        .containsSubsequence("drain failed t2", "drain failed t2", "drain t2", "deploy t2 2.0.0")
        .containsOnlyOnce("deploy t2 2.0.0");
    assertThat(fleet.version("t2")).isEqualTo("2.0.0");
    assertThat(fleet.outOfRotation()).isEmpty();
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void aLedgerBrieflyUnreachableIsRetriedAndNoRecordIsLost(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").recordFailsTimes(2));

    DeploymentResult result =
        stub(client, worker, "dep-flaky-ledger").run(request("2.0.0", RollingOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.operations())
        .containsSubsequence("ledger record failed", "ledger record failed");
    assertThat(fleet.ledger().get(fleet.ledger().size() - 1).state())
        .isEqualTo(DeploymentState.SUCCEEDED);
    // Every event reached the ledger once: the failed records' events came with their retries.
    List<Integer> seqs =
        fleet.ledger().stream().flatMap(e -> e.events().stream()).map(e -> e.seq()).toList();
    assertThat(seqs).isNotEmpty().isEqualTo(IntStream.rangeClosed(1, seqs.size()).boxed().toList());
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void aTargetThatCannotBeRestoredTurnsTheOutcomeIntoFailedNamingIt(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(
            env,
            worker,
            new InMemoryFleet(FLEET, "1.0.0").badOn("t2", "2.0.0").badOn("t2", "1.0.0"));
    RollingOptions options = new RollingOptions(null, null, null, null, true);

    DeploymentResult result = stub(client, worker, "dep-stuck").run(request("2.0.0", options));

    assertThat(result.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(result.reason()).startsWith("rollback incomplete, t2 need an operator");
    assertThat(state(result, "t2")).isEqualTo(TargetState.FAILED);
    assertThat(state(result, "t1")).isEqualTo(TargetState.ROLLED_BACK);
    assertThat(fleet.version("t1")).isEqualTo("1.0.0");
  }

  @Test
  void aFleetLookupThatFailsForGoodEndsTheDeploymentFailedAndRecordsIt(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").describeFails());

    DeploymentResult result =
        stub(client, worker, "dep-describe").run(request("2.0.0", RollingOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(result.reason()).contains("sampleAppJar");
    assertThat(fleet.operations()).isEmpty();
    LedgerEntry last = fleet.ledger().get(fleet.ledger().size() - 1);
    assertThat(last.state()).isEqualTo(DeploymentState.FAILED);
  }

  @Test
  void anAbortArrivingWhileATargetFailsRollsBackEverythingAsAborted(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet =
        start(env, worker, new InMemoryFleet(FLEET, "1.0.0").badOn("t3", "2.0.0").holdDeploy("t3"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-abort-fail");
    WorkflowClient.start(workflow::run, request("2.0.0", SHORT_PAUSES));
    fleet.awaitDeployStarted("t3");

    workflow.abort(ControlRequest.of("alice", "stop"));
    fleet.release("t3");
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
  }

  @Test
  void cancellingWaitsForEveryTargetOfTheBatchBeforeRollingBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t2"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-cancel-batch");
    WorkflowClient.start(
        workflow::run,
        request(
            "2.0.0",
            new RollingOptions(
                IntOrPercent.percent(50), null, Duration.ofMillis(100), null, null)));
    fleet.awaitDeployStarted("t2");
    waitFor(
        workflow,
        s ->
            s.targets().stream()
                .anyMatch(t -> t.id().equals("t1") && t.state() == TargetState.UPGRADED));

    WorkflowStub untyped = WorkflowStub.fromTyped(workflow);
    untyped.cancel();
    awaitHistory(client, "dep-cancel-batch", EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    fleet.release("t2");

    assertThatThrownBy(() -> untyped.getResult(DeploymentResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    // t2's rollback deploy came after its upgrade deploy had finished, never alongside it.
    assertThat(fleet.operations())
        .containsSubsequence("deploy t2 2.0.0", "deploy t2 1.0.0")
        .containsSubsequence("deploy t1 2.0.0", "deploy t1 1.0.0");
  }

  @Test
  void historyGrowsLinearlyWithTheFleet(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    List<Target> large = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      large.add(new Target("t" + i, "127.0.0.1", 9000 + i, null));
    }
    start(env, worker, new InMemoryFleet(large, "1.0.0"));
    DeploymentRequest base = request("2.0.0", batch("20%"));
    DeploymentRequest big =
        base.toBuilder()
            .deploymentId("dep-large")
            .service(
                new ServiceDefinition(
                    "checkout",
                    large,
                    ProviderRef.of("memory"),
                    ProviderRef.of("memory"),
                    null,
                    "rolling",
                    null))
            .version("2.0.0")
            .build();

    stub(client, worker, "dep-large").run(big);

    long bytes = client.fetchHistory("dep-large").getHistory().getSerializedSize();
    // Each ledger record carries only the targets that changed, so a target costs a bounded
    // amount of history however large the fleet: here under 12 kB per target.
    assertThat(bytes / large.size()).isLessThan(12_000);
  }

  @Test
  void rollbackOnFailureAlsoRestoresTargetsAlreadyUpgraded(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(env, worker, new InMemoryFleet(FLEET, "1.0.0").badOn("t3", "3.0.0"));
    RollingOptions options = new RollingOptions(null, null, null, null, true);

    DeploymentResult result = stub(client, worker, "dep-rb").run(request("3.0.0", options));

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    // Restores run newest first: t3 (the failed one), then t2, then t1.
    assertThat(fleet.operations())
        .containsSubsequence("deploy t3 1.0.0", "deploy t2 1.0.0", "deploy t1 1.0.0");
    LedgerEntry last = fleet.ledger().get(fleet.ledger().size() - 1);
    assertThat(last.currentVersion()).isEqualTo("1.0.0");
  }

  @Test
  void pauseHoldsBeforeTheNextBatchAndResumeFinishes(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t1"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-pause");
    WorkflowClient.start(workflow::run, request("2.0.0", SHORT_PAUSES));
    fleet.awaitDeployStarted("t1");

    workflow.pause(ControlRequest.of("alice", "look at the dashboards"));
    fleet.release("t1");
    waitFor(workflow, s -> s.state() == DeploymentState.PAUSED);

    DeploymentStatus paused = workflow.status();
    assertThat(paused.phase()).isEqualTo(Phase.PAUSED);
    assertThat(paused.batch()).isEqualTo(1);
    assertThat(fleet.version("t1")).isEqualTo("2.0.0");
    assertThat(fleet.version("t2")).isEqualTo("1.0.0");
    assertThatThrownBy(() -> workflow.pause(ControlRequest.of("bob", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("pause: deployment is already paused");

    workflow.resume(ControlRequest.of("alice", null));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("2.0.0"));
  }

  @Test
  void resumeIsRejectedWhenNotPaused(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t1"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-resume");
    WorkflowClient.start(workflow::run, request("2.0.0", SHORT_PAUSES));
    fleet.awaitDeployStarted("t1");

    assertThatThrownBy(() -> workflow.resume(ControlRequest.of("alice", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("resume: deployment is not paused");
    fleet.release("t1");
    assertThat(WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class).state())
        .isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void abortFinishesTheTargetInFlightThenRollsBackUpgradedTargets(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t2"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-abort");
    WorkflowClient.start(workflow::run, request("2.0.0", SHORT_PAUSES));
    fleet.awaitDeployStarted("t2");

    workflow.abort(ControlRequest.of("alice", "error budget burning"));
    assertThatThrownBy(() -> workflow.abort(ControlRequest.of("bob", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("abort: deployment is already aborting");
    fleet.release("t2");
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(result.reason()).contains("alice").contains("error budget burning");
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.operations()).doesNotContain("drain t3");
    assertThat(fleet.outOfRotation()).isEmpty();
  }

  @Test
  void promoteEndsThePauseBetweenBatchesAndFullPromoteSkipsTheRest(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-promote");
    long started = env.currentTimeMillis();
    WorkflowClient.start(
        workflow::run,
        request("2.0.0", new RollingOptions(null, null, Duration.ofHours(1), null, null)));

    waitFor(workflow, s -> s.phase() == Phase.WAITING && s.batch() == 1);
    workflow.promote(ControlRequest.of("alice", "looks good"));
    waitFor(workflow, s -> s.phase() == Phase.WAITING && s.batch() == 2);
    workflow.promote(new ControlRequest("alice", "ship it", true));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("2.0.0"));
    assertThat(env.currentTimeMillis() - started)
        .as("no hour-long pause was waited out")
        .isLessThan(Duration.ofHours(1).toMillis());
  }

  @Test
  void promoteIsRejectedWhenNothingWaits(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t1"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-promote-no");
    WorkflowClient.start(workflow::run, request("2.0.0", SHORT_PAUSES));
    fleet.awaitDeployStarted("t1");

    assertThatThrownBy(() -> workflow.promote(ControlRequest.of("alice", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("promote: deployment is not paused");
    assertThatThrownBy(() -> workflow.retry(ControlRequest.of("alice", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("retry: deployment is still running");
    fleet.release("t1");
    assertThat(WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class).state())
        .isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void retryAfterAnAbortStartsAgainFromTheBeginning(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t2"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-retry");
    WorkflowClient.start(workflow::run, request("2.0.0", SHORT_PAUSES));
    fleet.awaitDeployStarted("t2");
    workflow.abort(ControlRequest.of("alice", "wrong moment"));
    fleet.release("t2");
    waitFor(workflow, s -> s.state() == DeploymentState.ABORTED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));

    workflow.retry(ControlRequest.of("alice", "now"));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("2.0.0"));
    assertThat(fleet.reopened()).containsExactly("dep-2.0.0");
    assertThat(fleet.ledger().get(fleet.ledger().size() - 1).events())
        .anyMatch(e -> e.type().equals("deployment.succeeded"));
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void retryLearnsWhatTheFleetRunsNowAndRestoresThat(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet =
        start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t2").badOn("t3", "2.0.0"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-2.0.0");
    RollingOptions rollBackAll = new RollingOptions(null, null, Duration.ofMillis(100), null, true);
    WorkflowClient.start(workflow::run, request("2.0.0", rollBackAll));
    fleet.awaitDeployStarted("t2");
    workflow.abort(ControlRequest.of("alice", "wrong moment"));
    fleet.release("t2");
    waitFor(workflow, s -> s.state() == DeploymentState.ABORTED);
    fleet.assertLedgerMatchesFleet();
    // Between the attempts another deployment moved the fleet on.
    FLEET.forEach(t -> fleet.runs(t.id(), "1.5.0"));

    workflow.retry(ControlRequest.of("alice", "again"));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(FLEET)
        .as("restored to what the fleet ran when the retry began, not before the first attempt")
        .allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.5.0"));
    assertThat(result.targets())
        .allSatisfy(t -> assertThat(t.previousVersion()).isEqualTo("1.5.0"));
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void retryIsRefusedWhileAnotherDeploymentHoldsTheService(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(env, worker, new InMemoryFleet(FLEET, "1.0.0").badOn("t1", "3.0.0"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-retry-busy");
    WorkflowClient.start(workflow::run, request("3.0.0", SHORT_PAUSES));
    waitFor(workflow, s -> s.state() == DeploymentState.FAILED);
    fleet.serviceHeldBy("dep-other");

    assertThatThrownBy(() -> workflow.retry(ControlRequest.of("bob", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining(
            "retry: deployment dep-other of checkout holds the service or began after this one");
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);
    assertThat(result.state())
        .as("with no retry accepted, the workflow closes after the retry window")
        .isEqualTo(DeploymentState.FAILED);
  }

  @Test
  void abortSignalFromTheTemporalUiActsLikeTheUpdate(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t2"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-signal");
    WorkflowClient.start(workflow::run, request("2.0.0", SHORT_PAUSES));
    fleet.awaitDeployStarted("t2");

    WorkflowStub.fromTyped(workflow).signal("abort-signal", new ControlRequest(null, "from UI"));
    fleet.release("t2");
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
  }

  @Test
  void cancellingRollsBackAndEndsCancelled(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t3"));
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-cancel");
    WorkflowClient.start(workflow::run, request("2.0.0", SHORT_PAUSES));
    fleet.awaitDeployStarted("t3");

    WorkflowStub untyped = WorkflowStub.fromTyped(workflow);
    untyped.cancel();
    // Let the held deploy finish only once the workflow has asked to cancel it, as a real deploy
    // would notice the cancellation at its next heartbeat.
    awaitHistory(client, "dep-cancel", EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    fleet.release("t3");

    assertThatThrownBy(() -> untyped.getResult(DeploymentResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    LedgerEntry last = fleet.ledger().get(fleet.ledger().size() - 1);
    assertThat(last.state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(last.reason()).contains("cancelled");
  }

  @Test
  void ledgerGetsEveryEventExactlyOnceAndTheFinalVersion(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));

    stub(client, worker, "dep-ledger").run(request("2.0.0", RollingOptions.NONE));

    List<Integer> seqs = new ArrayList<>();
    for (LedgerEntry entry : fleet.ledger()) {
      entry.events().stream().map(DeploymentEvent::seq).forEach(seqs::add);
    }
    assertThat(seqs)
        .as("every event recorded once, without gaps")
        .isEqualTo(IntStream.rangeClosed(1, seqs.size()).boxed().toList());
    LedgerEntry last = fleet.ledger().get(fleet.ledger().size() - 1);
    assertThat(last.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(last.currentVersion()).isEqualTo("2.0.0");
    assertThat(last.events()).anyMatch(e -> e.type().equals("deployment.succeeded"));
  }

  @Test
  void eachTargetIsDeployedOnceWithARequestIdTheDeployerCanDeduplicate(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));

    stub(client, worker, "dep-ids").run(request("2.0.0", RollingOptions.NONE));

    assertThat(fleet.deploysByRequest())
        .containsOnly(
            Map.entry("dep-2.0.0/t1/upgrade", 1),
            Map.entry("dep-2.0.0/t2/upgrade", 1),
            Map.entry("dep-2.0.0/t3/upgrade", 1),
            Map.entry("dep-2.0.0/t4/upgrade", 1));
  }

  @Test
  void phaseIsPublishedAsASearchAttribute(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    SluiceSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    DeploymentRequest base = request("2.0.0", RollingOptions.NONE);
    DeploymentRequest withAttributes = base.toBuilder().searchAttributes(true).build();

    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-sa");
    workflow.run(withAttributes);

    List<String> phases = upserted(client, "dep-sa", SluiceSearchAttributes.PHASE.getName());
    assertThat(phases)
        .startsWith("\"PREPARING\"")
        .endsWith("\"COMPLETED\"")
        .contains("\"DEPLOYING\"");
  }

  @Test
  void theOutcomeIsPublishedAsSluiceStateWhileTheWorkflowStillWaitsForARetry(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    SluiceSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t2"));
    DeploymentRequest base = request("2.0.0", SHORT_PAUSES);
    RollingDeploymentWorkflow workflow = stub(client, worker, "dep-state");
    WorkflowClient.start(workflow::run, base.toBuilder().searchAttributes(true).build());
    fleet.awaitDeployStarted("t2");
    workflow.abort(ControlRequest.of("alice", "wrong moment"));
    fleet.release("t2");
    waitFor(workflow, s -> s.state() == DeploymentState.ABORTED);

    assertThat(upserted(client, "dep-state", STATE)).containsExactly("\"ABORTED\"");
    assertThat(client.newUntypedWorkflowStub("dep-state").describe().getStatus())
        .as("still open, waiting for a retry")
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);

    workflow.retry(ControlRequest.of("alice", "again"));
    WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);
    assertThat(upserted(client, "dep-state", STATE))
        .containsExactly("\"ABORTED\"", "\"RUNNING\"", "\"SUCCEEDED\"");
  }

  private static final String STATE = SluiceSearchAttributes.STATE.getName();

  /** Every value of search attribute {@code name} the workflow upserted, in order. */
  private static List<String> upserted(WorkflowClient client, String workflowId, String name) {
    return client.fetchHistory(workflowId).getEvents().stream()
        .filter(e -> e.hasUpsertWorkflowSearchAttributesEventAttributes())
        .map(
            e ->
                e.getUpsertWorkflowSearchAttributesEventAttributes()
                    .getSearchAttributes()
                    .getIndexedFieldsMap()
                    .get(name))
        .filter(Objects::nonNull)
        .map(p -> p.getData().toStringUtf8())
        .toList();
  }

  private static TargetState state(DeploymentResult result, String targetId) {
    return result.targets().stream()
        .filter(t -> t.id().equals(targetId))
        .map(TargetStatus::state)
        .findFirst()
        .orElseThrow();
  }

  private static void awaitHistory(WorkflowClient client, String workflowId, EventType type) {
    Awaitility.await(type + " in the history of " + workflowId)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                client.fetchHistory(workflowId).getEvents().stream()
                    .anyMatch(e -> e.getEventType() == type));
  }

  private static void waitFor(
      RollingDeploymentWorkflow workflow, Predicate<DeploymentStatus> done) {
    Awaitility.await("deployment status")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(workflow::status, done::test);
  }

  static final AutoRollbackSpec WATCH_5M =
      new AutoRollbackSpec(Duration.ofMinutes(5), null, null, null)
          .orElse(AutoRollbackSpec.DEFAULT);

  @Test
  void aBreachInThePostDeployWindowRollsEveryTargetBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    fleet.monitorAnswers(
        new AnalysisResult(Verdict.FAIL, 2, 0, "errors 7.00% (70/1000) above the 5.00% ceiling"));

    DeploymentResult result =
        stub(client, worker, "dep-2.0.0")
            .run(request("2.0.0", RollingOptions.NONE).withAutoRollback(WATCH_5M));

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(result.reason()).startsWith("auto-rollback: errors 7.00%");
    assertThat(fleet.monitored()).containsExactly(List.of("t1", "t2", "t3", "t4"));
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.operations()).containsSubsequence("enable t4", "monitor", "deploy t1 1.0.0");
  }

  @Test
  void aQuietPostDeployWindowSucceedsAndNoWindowMeansNoMonitoring(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));

    DeploymentResult watched =
        stub(client, worker, "dep-2.0.0")
            .run(request("2.0.0", RollingOptions.NONE).withAutoRollback(WATCH_5M));
    assertThat(watched.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.monitored()).hasSize(1);

    DeploymentResult unwatched =
        stub(client, worker, "dep-3.0.0").run(request("3.0.0", RollingOptions.NONE));
    assertThat(unwatched.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.monitored()).hasSize(1);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("3.0.0"));
  }
}
