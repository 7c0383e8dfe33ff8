package dev.sluice.workflows.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.CanaryStep;
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
import dev.sluice.model.Verdict;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import dev.sluice.workflows.rolling.RollingDeploymentWorkflowImpl;
import dev.sluice.workflows.testing.InMemoryFleet;
import dev.sluice.workflows.testing.LocalSteps;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CanaryDeploymentWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              CanaryDeploymentWorkflowImpl.class, RollingDeploymentWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  public static final List<Target> FLEET =
      List.of(
          new Target("t1", "127.0.0.1", 9001, null),
          new Target("t2", "127.0.0.1", 9002, null),
          new Target("t3", "127.0.0.1", 9003, null),
          new Target("t4", "127.0.0.1", 9004, null));

  public static AnalysisSpec analysis(Duration duration) {
    return new AnalysisSpec(duration, Duration.ofSeconds(30), null, null, null, null, null, null);
  }

  public static DeploymentRequest request(String id, List<CanaryStep> steps) {
    ServiceDefinition service =
        new ServiceDefinition(
            "checkout",
            FLEET,
            ProviderRef.of("memory"),
            ProviderRef.of("memory"),
            null,
            "canary",
            null);
    return DeploymentRequest.builder()
        .deploymentId(id)
        .service(service)
        .version("2.0.0")
        .strategy("canary")
        .rolling(
            new RollingOptions(null, null, Duration.ofMillis(100), null, null)
                .orElse(RollingOptions.DEFAULT))
        .requestedBy("ci")
        .canary(new CanaryOptions(steps, IntOrPercent.count(1)))
        .build();
  }

  public static final List<CanaryStep> PLAN =
      List.of(
          CanaryStep.weight(25),
          CanaryStep.analyse(analysis(Duration.ofMinutes(15))),
          CanaryStep.weight(50),
          CanaryStep.pauseFor(Duration.ofMinutes(10)),
          CanaryStep.weight(100));

  private CanaryDeploymentWorkflow stub(WorkflowClient client, Worker worker, String id) {
    return client.newWorkflowStub(
        CanaryDeploymentWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
  }

  private InMemoryFleet start(TestWorkflowEnvironment env, Worker worker, InMemoryFleet fleet) {
    worker.registerActivitiesImplementations(fleet);
    env.start();
    return fleet;
  }

  @Test
  void theCanaryWalksThePlanThenTheStableServersFollowInAChildWorkflow(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));

    DeploymentResult result = stub(client, worker, "can-1").run(request("can-1", PLAN));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("2.0.0"));
    // No traffic while the canary is replaced, then the plan's weights, then equal weights.
    assertThat(fleet.splits()).containsExactly(0, 25, 50, 100, 100);
    assertThat(fleet.operations())
        .containsSubsequence("split 0", "deploy t1 2.0.0", "split 25", "analysis", "split 50")
        .containsSubsequence("split 100", "deploy t2 2.0.0", "deploy t3 2.0.0", "deploy t4 2.0.0");
    assertThat(fleet.analysedFor()).containsExactly(Duration.ofMinutes(15));
    assertThat(client.fetchHistory("can-1-stable").getLastEvent().getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  }

  @Test
  void aFailedAnalysisCutsTheCanarysTrafficFirstThenPutsItBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(
            env,
            worker,
            new InMemoryFleet(FLEET, "1.0.0")
                .analyses(new AnalysisResult(Verdict.FAIL, 3, 0, "canary error rate 12%")));

    DeploymentResult result = stub(client, worker, "can-fail").run(request("can-fail", PLAN));

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(result.reason()).contains("analysis failed").contains("canary error rate 12%");
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.operations())
        .containsSubsequence("split 25", "analysis", "split 0", "deploy t1 1.0.0", "split 100")
        .doesNotContain("split 50", "deploy t2 2.0.0");
  }

  @Test
  void promoteDuringABakeEndsTheAnalysisAndMovesOn(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdAnalysis());
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-promote");
    WorkflowClient.start(
        workflow::run,
        request(
            "can-promote",
            List.of(
                CanaryStep.weight(10),
                CanaryStep.analyse(analysis(Duration.ofHours(2))),
                CanaryStep.weight(100))));
    fleet.awaitAnalysisStarted();
    waitFor(workflow, s -> s.phase() == Phase.ANALYSING);

    workflow.promote(ControlRequest.of("alice", "numbers look fine"));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.splits()).containsExactly(0, 10, 100, 100);
  }

  @Test
  void aPauseWithoutADurationWaitsForPromoteAndFullPromoteSkipsTheRest(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-gate");
    WorkflowClient.start(
        workflow::run,
        request(
            "can-gate",
            List.of(
                CanaryStep.weight(5),
                CanaryStep.pauseUntilPromoted(),
                CanaryStep.weight(20),
                CanaryStep.pauseUntilPromoted(),
                CanaryStep.weight(60),
                CanaryStep.analyse(analysis(Duration.ofHours(1))))));

    waitFor(workflow, s -> s.phase() == Phase.WAITING && s.batch() == 2);
    Awaitility.await("the wait for promote recorded")
        .atMost(Duration.ofSeconds(30))
        .until(() -> fleet.ledger().stream().anyMatch(e -> e.waiting() != null));
    LedgerEntry waiting =
        fleet.ledger().stream().filter(e -> e.waiting() != null).findFirst().orElseThrow();
    assertThat(waiting.waiting().forPromote()).isTrue();
    assertThat(waiting.waiting().what()).contains("pause until promoted");
    assertThat(waiting.waiting().since()).isNotNull();
    assertThat(waiting.trafficWeight()).as("the canary's weight while it waits").isEqualTo(5);
    assertThatThrownBy(() -> workflow.resume(ControlRequest.of("bob", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("resume: deployment is not paused");
    workflow.promote(ControlRequest.of("alice", null));
    waitFor(workflow, s -> s.phase() == Phase.WAITING && s.batch() == 4);
    workflow.promote(new ControlRequest("alice", "all good", true));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    // Full promote: no 60% step, no analysis; straight to equal weights and the stable servers.
    assertThat(fleet.splits()).containsExactly(0, 5, 20, 100);
    assertThat(fleet.analysedFor()).isEmpty();
  }

  @Test
  void anInconclusiveAnalysisPausesForAPersonAndRunsAgainOnResume(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(
            env,
            worker,
            new InMemoryFleet(FLEET, "1.0.0")
                .analyses(new AnalysisResult(Verdict.INCONCLUSIVE, 10, 10, "no traffic")));
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-unsure");
    WorkflowClient.start(workflow::run, request("can-unsure", PLAN));

    waitFor(workflow, s -> s.state() == DeploymentState.PAUSED);
    assertThat(workflow.status().events())
        .anyMatch(e -> e.message().contains("analysis inconclusive"));
    workflow.resume(ControlRequest.of("alice", "traffic is back"));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.analysedFor()).hasSize(2);
  }

  @Test
  void anAbortIsAnsweredOnlyOnceTheCanaryTakesNoTraffic(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-cut");
    WorkflowClient.start(
        workflow::run,
        request("can-cut", List.of(CanaryStep.weight(25), CanaryStep.pauseUntilPromoted())));
    waitFor(workflow, s -> s.phase() == Phase.WAITING);
    assertThat(fleet.canaryPercent()).isEqualTo(25);

    workflow.abort(ControlRequest.of("alice", "pager"));

    assertThat(fleet.canaryPercent()).isZero();
    assertThat(LocalSteps.inTheTaskThatAnsweredTheFirstUpdate(client, "can-cut"))
        .contains("TrafficSplit");
    waitFor(workflow, s -> s.state() == DeploymentState.ABORTED);
    assertThat(fleet.version("t1")).isEqualTo("1.0.0");
    assertThat(fleet.splits()).endsWith(0, 100);
  }

  @Test
  void abortDuringThePromotionRollsBackTheStableServersAndTheCanary(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t3"));
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-abort");
    WorkflowClient.start(
        workflow::run,
        request("can-abort", List.of(CanaryStep.weight(50), CanaryStep.weight(100))));
    fleet.awaitDeployStarted("t3");

    workflow.abort(ControlRequest.of("alice", "pager"));
    fleet.release("t3");
    waitFor(workflow, s -> s.state() == DeploymentState.ABORTED);

    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    assertThat(fleet.splits()).endsWith(0, 100);
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void thePromotionsStepsAndPauseReachTheParentsLedgerRowAsTheyHappen(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdDeploy("t3"));
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-seen");
    WorkflowClient.start(
        workflow::run, request("can-seen", List.of(CanaryStep.weight(50), CanaryStep.weight(100))));
    fleet.awaitDeployStarted("t3");
    workflow.pause(ControlRequest.of("alice", "look at the graphs"));

    // While the child still runs: t2 is upgraded, t3 is deploying, and the pause is recorded.
    Awaitility.await("the promotion recorded under the parent")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                fleet.childEntries().stream()
                    .flatMap(e -> e.targets().stream())
                    .anyMatch(t -> t.id().equals("t2") && t.state() == TargetState.UPGRADED));
    assertThat(fleet.ledgerVersions()).containsEntry("t2", "2.0.0");
    assertThat(fleet.childEntries())
        .allSatisfy(e -> assertThat(e.parentDeploymentId()).isEqualTo("can-seen"))
        .flatExtracting(e -> e.events())
        .allSatisfy(
            e -> {
              assertThat(e.type()).startsWith("promotion.");
              assertThat(e.seq()).isGreaterThan(ChildEntry.CHILD_EVENTS);
            });
    fleet.release("t3");
    Awaitility.await("the paused promotion shown as paused")
        .atMost(Duration.ofSeconds(30))
        .until(() -> fleet.childEntries().stream().anyMatch(ChildEntry::paused));
    assertThat(fleet.childEntries().stream().flatMap(e -> e.events().stream()))
        .anyMatch(e -> e.type().equals("promotion.deployment.paused"));

    workflow.resume(ControlRequest.of("alice", null));
    waitFor(workflow, s -> s.state() == DeploymentState.SUCCEEDED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("2.0.0"));
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void aStableServerFailingDuringThePromotionTakesTheWholeFleetBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(env, worker, new InMemoryFleet(FLEET, "1.0.0").badOn("t3", "2.0.0"));

    DeploymentResult result =
        stub(client, worker, "can-promo-fail")
            .run(request("can-promo-fail", List.of(CanaryStep.weight(50), CanaryStep.weight(100))));

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(result.reason()).contains("promotion of the stable servers");
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    assertThat(fleet.operations()).containsSubsequence("deploy t2 2.0.0", "deploy t2 1.0.0");
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void aPauseDuringTheLastStepHoldsThePromotion(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-hold");
    WorkflowClient.start(
        workflow::run,
        request(
            "can-hold",
            List.of(CanaryStep.weight(30), CanaryStep.pauseFor(Duration.ofSeconds(2)))));
    waitFor(workflow, s -> s.phase() == Phase.WAITING);

    // The pause arrives during the last step; when that step's wait ends, it holds.
    workflow.pause(ControlRequest.of("alice", "hold on"));
    waitFor(workflow, s -> s.state() == DeploymentState.PAUSED);
    assertThat(fleet.operations()).doesNotContain("deploy t2 2.0.0");
    workflow.resume(ControlRequest.of("alice", null));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void aPromoteSentAsAWaitBeginsEndsIt(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-early");
    WorkflowClient.start(
        workflow::run,
        request("can-early", List.of(CanaryStep.weight(10), CanaryStep.pauseUntilPromoted())));

    waitFor(workflow, s -> s.phase() == Phase.WAITING);
    workflow.promote(ControlRequest.of("alice", null));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.splits()).containsExactly(0, 10, 100);
  }

  @Test
  void cancellingACanaryCutsItsTrafficAndRestoresIt(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").holdAnalysis());
    CanaryDeploymentWorkflow workflow = stub(client, worker, "can-cancel");
    WorkflowClient.start(workflow::run, request("can-cancel", PLAN));
    fleet.awaitAnalysisStarted();

    WorkflowStub untyped = WorkflowStub.fromTyped(workflow);
    untyped.cancel();

    assertThatThrownBy(() -> untyped.getResult(DeploymentResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.operations()).containsSubsequence("split 25", "split 0", "deploy t1 1.0.0");
  }

  @Test
  void aSeventyTwoHourCanaryCostsAFewHundredHistoryEvents(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0"));
    List<CanaryStep> plan =
        List.of(
            CanaryStep.weight(5),
            CanaryStep.analyse(analysis(Duration.ofHours(24))),
            CanaryStep.weight(50),
            CanaryStep.analyse(analysis(Duration.ofHours(24))),
            CanaryStep.weight(100),
            CanaryStep.analyse(analysis(Duration.ofHours(24))));

    stub(client, worker, "can-long").run(request("can-long", plan));

    // Each analysis step is one heartbeating activity checking every 30 s, so the 8,640 checks
    // of three days live in activity heartbeats, not in the workflow's history.
    assertThat(fleet.analysedFor().stream().mapToLong(Duration::toHours).sum()).isEqualTo(72);
    // 115 events with ledger writes as local activities (./bench/run history72, with the real
    // analysis activity and its retries, counts about 490).
    assertThat(client.fetchHistory("can-long").getEvents()).hasSizeLessThan(300);
  }

  private static void waitFor(CanaryDeploymentWorkflow workflow, Predicate<DeploymentStatus> done) {
    Awaitility.await("deployment status")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(workflow::status, done::test);
  }
}
