package dev.sluice.workflows.rolling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.common.TargetGroupWorkflowImpl;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rolling one zone at a time: three zones of two targets each, named by the fleet out of order, so
 * zone order and zone boundaries are the plan's doing, not the fleet's.
 */
class RollingByZoneTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              RollingDeploymentWorkflowImpl.class, TargetGroupWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  static final List<Target> FLEET =
      List.of(
          new Target("t1", "127.0.0.1", 9001, null, "eu-west-1a"),
          new Target("t2", "127.0.0.1", 9002, null, "eu-west-1b"),
          new Target("t3", "127.0.0.1", 9003, null, "eu-west-1a"),
          new Target("t4", "127.0.0.1", 9004, null, "eu-west-1b"),
          new Target("t5", "127.0.0.1", 9005, null, "eu-west-1c"),
          new Target("t6", "127.0.0.1", 9006, null, "eu-west-1c"));

  /** Whole zones at once, but one target of each must stay in service: batches of one. */
  static final RollingOptions BY_ZONE =
      new RollingOptions(
          IntOrPercent.percent(100),
          null,
          Duration.ofSeconds(10),
          null,
          null,
          true,
          Duration.ofMinutes(10),
          IntOrPercent.count(1));

  static DeploymentRequest request(String version, RollingOptions options) {
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
        .rolling(options.orElse(RollingOptions.DEFAULT))
        .requestedBy("ci")
        .build();
  }

  private InMemoryFleet start(TestWorkflowEnvironment env, Worker worker) {
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    worker.registerActivitiesImplementations(fleet);
    env.start();
    return fleet;
  }

  private static RollingDeploymentWorkflow stub(WorkflowClient client, Worker worker) {
    return client.newWorkflowStub(
        RollingDeploymentWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId("dep-zones")
            .setTaskQueue(worker.getTaskQueue())
            .build());
  }

  @Test
  void eachZoneRollsAloneInItsOwnBatchesWithABakeBeforeTheNext(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker);
    RollingDeploymentWorkflow workflow = stub(client, worker);

    DeploymentResult result = workflow.run(request("2.0.0", BY_ZONE));

    assertThat(result.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("2.0.0"));
    assertThat(fleet.maxOutOfRotation()).isEqualTo(1);
    List<String> deploys =
        fleet.operations().stream().filter(op -> op.startsWith("deploy ")).toList();
    assertThat(deploys)
        .containsExactly(
            "deploy t1 2.0.0",
            "deploy t3 2.0.0",
            "deploy t2 2.0.0",
            "deploy t4 2.0.0",
            "deploy t5 2.0.0",
            "deploy t6 2.0.0");
    List<DeploymentEvent> events = workflow.status().events();
    assertThat(
            events.stream()
                .filter(e -> e.type().equals("rolling.zone"))
                .map(DeploymentEvent::message))
        .containsExactly(
            "zone eu-west-1a (1/3): 2 targets in 2 batches of up to 1",
            "zone eu-west-1b (2/3): 2 targets in 2 batches of up to 1",
            "zone eu-west-1c (3/3): 2 targets in 2 batches of up to 1");
    assertThat(
            events.stream()
                .filter(e -> e.type().equals("rolling.zone-baked"))
                .map(DeploymentEvent::message))
        .containsExactly(
            "bake after zone eu-west-1a, before eu-west-1b: waited 10m",
            "bake after zone eu-west-1b, before eu-west-1c: waited 10m");
    assertThat(workflow.status().batches()).isEqualTo(6);
  }

  @Test
  void aBreachInAZonesBakeRollsItBackBeforeTheNextZoneIsTouched(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    InMemoryFleet fleet = start(env, worker);
    fleet.monitorAnswers(
        new AnalysisResult(Verdict.FAIL, 3, 0, "errors 9.00% (90/1000) above the 5.00% ceiling"));
    AutoRollbackSpec watch =
        new AutoRollbackSpec(Duration.ofMinutes(5), null, null, null)
            .orElse(AutoRollbackSpec.DEFAULT);

    DeploymentResult result =
        stub(client, worker).run(request("2.0.0", BY_ZONE).withAutoRollback(watch));

    assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(result.reason())
        .isEqualTo(
            "auto-rollback in the bake after zone eu-west-1a: errors 9.00% (90/1000) above the"
                + " 5.00% ceiling");
    assertThat(fleet.monitored()).containsExactly(List.of("t1", "t3"));
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.operations())
        .noneMatch(op -> op.matches("deploy t[2456] .*"))
        .containsSubsequence("enable t3", "monitor", "deploy t1 1.0.0");
  }

  @Test
  void aZoneTooSmallToKeepItsMinimumOrATargetWithoutZoneHasNoPlan() {
    RollingOptions keepTwo =
        new RollingOptions(
            IntOrPercent.percent(50), null, null, null, null, true, null, IntOrPercent.count(2));
    assertThatThrownBy(() -> RollingPlan.zones(FLEET, keepTwo.orElse(RollingOptions.DEFAULT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("zone eu-west-1a has 2 targets and must keep 2 in service: no batch fits");
    List<Target> unzoned = List.of(FLEET.get(0), new Target("t9", "127.0.0.1", 9009, null));
    assertThatThrownBy(() -> RollingPlan.zones(unzoned, BY_ZONE.orElse(RollingOptions.DEFAULT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target t9 has no zone");
  }

  @Test
  void sharesAreTakenOfTheZoneAndAMinimumShareRoundsUp() {
    RollingOptions half = new RollingOptions(IntOrPercent.percent(50), null, null, null, null);
    assertThat(half.zoneBatchSize(4)).isEqualTo(2);
    RollingOptions keepSixtyPercent =
        new RollingOptions(
            IntOrPercent.percent(100),
            null,
            null,
            null,
            null,
            true,
            null,
            IntOrPercent.percent(60));
    // 60% of 5 is 3 kept, so at most 2 out; of 3, 1.8 rounds up to 2 kept, so 1 out.
    assertThat(keepSixtyPercent.zoneBatchSize(5)).isEqualTo(2);
    assertThat(keepSixtyPercent.zoneBatchSize(3)).isEqualTo(1);
  }
}
