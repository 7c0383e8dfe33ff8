package dev.sluice.workflows.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.Phase;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.testing.InMemoryFleet;
import dev.sluice.workflows.testing.LocalSteps;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BlueGreenDeploymentWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(BlueGreenDeploymentWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  public static final List<Target> FLEET =
      List.of(
          new Target("b1", "127.0.0.1", 9001, "blue"),
          new Target("b2", "127.0.0.1", 9002, "blue"),
          new Target("g1", "127.0.0.1", 9003, "green"),
          new Target("g2", "127.0.0.1", 9004, "green"));

  public static DeploymentRequest request(String id, BlueGreenOptions overrides) {
    ServiceDefinition service =
        new ServiceDefinition(
            "checkout",
            FLEET,
            ProviderRef.of("memory"),
            ProviderRef.of("memory"),
            null,
            "blue-green",
            null);
    return DeploymentRequest.builder()
        .deploymentId(id)
        .service(service)
        .version("2.0.0")
        .strategy("blue-green")
        .rolling(RollingOptions.DEFAULT)
        .requestedBy("ci")
        .blueGreen(overrides.orElse(BlueGreenOptions.DEFAULT))
        .build();
  }

  static BlueGreenOptions options(
      Boolean manualApproval, Duration autoPromoteAfter, Duration rollbackWindow, Boolean stop) {
    return new BlueGreenOptions(
        null, manualApproval, autoPromoteAfter, null, null, rollbackWindow, stop);
  }

  private BlueGreenDeploymentWorkflow stub(WorkflowClient client, Worker worker, String id) {
    return client.newWorkflowStub(
        BlueGreenDeploymentWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
  }

  private InMemoryFleet start(TestWorkflowEnvironment env, Worker worker, InMemoryFleet fleet) {
    worker.registerActivitiesImplementations(fleet);
    env.start();
    return fleet;
  }

  @Test
  void theIdlePoolGetsTheVersionIsSmokeTestedAndTakesAllTrafficInOneSwitch(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("blue"));

    DeploymentResult result =
        stub(client, worker, "bg-1").run(request("bg-1", BlueGreenOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.activePool()).isEqualTo("green");
    assertThat(fleet.version("g1")).isEqualTo("2.0.0");
    assertThat(fleet.version("g2")).isEqualTo("2.0.0");
    assertThat(fleet.version("b1")).as("the old pool stays deployed").isEqualTo("1.0.0");
    assertThat(fleet.operations())
        .containsSubsequence(
            "deploy g1 2.0.0",
            "smoke g1 /health",
            "smoke g2 /api/version",
            "switch green",
            "warm-up")
        .doesNotContain("drain b1", "switch blue");
    assertThat(fleet.stopped()).isEmpty();
  }

  @Test
  void aFailedSmokeTestNeverSwitches(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(
            env,
            worker,
            new InMemoryFleet(FLEET, "1.0.0").activePool("blue").smokeFails("/api/version"));

    DeploymentResult result =
        stub(client, worker, "bg-smoke").run(request("bg-smoke", BlueGreenOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(result.reason()).contains("smoke test failed").contains("/api/version");
    assertThat(fleet.activePool()).isEqualTo("blue");
    assertThat(fleet.operations()).noneMatch(op -> op.startsWith("switch"));
  }

  @Test
  void aFailedWarmUpSwitchesBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet =
        start(
            env,
            worker,
            new InMemoryFleet(FLEET, "1.0.0")
                .activePool("blue")
                .warmUpAnswers(new AnalysisResult(Verdict.FAIL, 2, 0, "response time 640 ms")));

    DeploymentResult result =
        stub(client, worker, "bg-warm").run(request("bg-warm", BlueGreenOptions.NONE));

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(result.reason()).contains("warm-up failed").contains("640 ms");
    assertThat(fleet.activePool()).isEqualTo("blue");
    assertThat(fleet.operations()).containsSubsequence("switch green", "warm-up", "switch blue");
  }

  @Test
  void theApprovalGateWaitsForPromote(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("blue"));
    BlueGreenDeploymentWorkflow workflow = stub(client, worker, "bg-gate");
    WorkflowClient.start(
        workflow::run, request("bg-gate", options(true, null, Duration.ofSeconds(1), null)));

    waitFor(workflow, s -> s.phase() == Phase.WAITING);
    assertThat(fleet.activePool()).isEqualTo("blue");
    workflow.promote(ControlRequest.of("alice", "approved in the change board"));
    DeploymentResult result = WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class);

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.activePool()).isEqualTo("green");
  }

  @Test
  void anAbortAtTheApprovalGateLeavesTheLivePoolAlone(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("blue"));
    BlueGreenDeploymentWorkflow workflow = stub(client, worker, "bg-gate-abort");
    WorkflowClient.start(
        workflow::run, request("bg-gate-abort", options(true, null, Duration.ofSeconds(1), null)));

    waitFor(workflow, s -> s.phase() == Phase.WAITING);
    workflow.abort(ControlRequest.of("alice", "not this week"));
    waitFor(workflow, s -> s.state() == DeploymentState.ABORTED);

    assertThat(fleet.activePool()).isEqualTo("blue");
    assertThat(fleet.operations()).noneMatch(op -> op.startsWith("switch"));
  }

  @Test
  void pauseIsRefusedOnceTrafficHasSwitched(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("blue"));
    BlueGreenDeploymentWorkflow workflow = stub(client, worker, "bg-nopause");
    WorkflowClient.start(
        workflow::run, request("bg-nopause", options(null, null, Duration.ofHours(1), null)));
    waitFor(workflow, s -> s.phase() == Phase.WAITING);

    Assertions.assertThatThrownBy(() -> workflow.pause(ControlRequest.of("alice", null)))
        .hasStackTraceContaining("pause: traffic already switched to green");
    workflow.promote(ControlRequest.of("alice", "close the window"));
    assertThat(WorkflowStub.fromTyped(workflow).getResult(DeploymentResult.class).state())
        .isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void autoPromotionSwitchesWhenNobodyApproves(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("blue"));

    DeploymentResult result =
        stub(client, worker, "bg-auto")
            .run(request("bg-auto", options(true, Duration.ofMinutes(10), null, null)));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.activePool()).isEqualTo("green");
  }

  @Test
  void anAbortInTheRollbackWindowSwitchesBackAtOnce(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("blue"));
    BlueGreenDeploymentWorkflow workflow = stub(client, worker, "bg-window");
    WorkflowClient.start(
        workflow::run, request("bg-window", options(null, null, Duration.ofHours(1), null)));
    waitFor(workflow, s -> s.phase() == Phase.WAITING);
    assertThat(fleet.activePool()).isEqualTo("green");

    workflow.abort(ControlRequest.of("alice", "checkout errors in the support queue"));

    // Answered once traffic is back: the switch ran in the workflow task that took the abort.
    assertThat(fleet.activePool()).isEqualTo("blue");
    assertThat(LocalSteps.inTheTaskThatAnsweredTheFirstUpdate(client, "bg-window"))
        .contains("TrafficSwitchPool");
    waitFor(workflow, s -> s.state() == DeploymentState.ABORTED);
    assertThat(fleet.operations()).endsWith("switch blue");
  }

  @Test
  void afterTheWindowTheOldPoolIsStoppedWhenAskedTo(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("blue"));

    DeploymentResult result =
        stub(client, worker, "bg-stop")
            .run(request("bg-stop", options(null, null, Duration.ofMinutes(30), true)));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fleet.stopped()).containsExactlyInAnyOrder("b1", "b2");
  }

  @Test
  void theNextDeploymentGoesToTheOtherPool(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("green"));

    stub(client, worker, "bg-next").run(request("bg-next", BlueGreenOptions.NONE));

    assertThat(fleet.activePool()).isEqualTo("blue");
    assertThat(fleet.version("b1")).isEqualTo("2.0.0");
    assertThat(fleet.version("g1")).isEqualTo("1.0.0");
  }

  private static void waitFor(
      BlueGreenDeploymentWorkflow workflow, Predicate<DeploymentStatus> done) {
    Awaitility.await("deployment status")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(workflow::status, done::test);
  }

  @Test
  void aBreachInThePostDeployWindowSwitchesBackToTheOldPool(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker, new InMemoryFleet(FLEET, "1.0.0").activePool("blue"));
    fleet.monitorAnswers(
        new AnalysisResult(Verdict.FAIL, 3, 0, "latency 1450 ms above the ceiling 1000"));
    AutoRollbackSpec watch =
        new AutoRollbackSpec(Duration.ofMinutes(5), null, null, null)
            .orElse(AutoRollbackSpec.DEFAULT);

    DeploymentResult result =
        stub(client, worker, "bg-auto")
            .run(request("bg-auto", BlueGreenOptions.NONE).withAutoRollback(watch));

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(result.reason()).startsWith("auto-rollback: latency 1450 ms");
    assertThat(fleet.activePool()).isEqualTo("blue");
    assertThat(fleet.monitored()).containsExactly(List.of("g1", "g2"));
    assertThat(fleet.operations())
        .containsSubsequence("switch green", "warm-up", "monitor", "switch blue");
  }
}
