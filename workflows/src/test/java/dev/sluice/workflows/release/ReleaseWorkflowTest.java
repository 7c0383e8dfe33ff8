package dev.sluice.workflows.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.FlagRollout;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Release;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.workflows.flags.FlagRolloutWorkflowImpl;
import dev.sluice.workflows.flags.FlagRolloutWorkflowTest.RecordingFlags;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflowImpl;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflowTest.Recording;
import dev.sluice.workflows.release.ReleaseWorkflow.Stage;
import dev.sluice.workflows.release.ReleaseWorkflow.Status;
import dev.sluice.workflows.rolling.RollingDeploymentWorkflowImpl;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A release with its real child workflows (migration, rolling deployment, flag rollout) over
 * recorded activities: the stages in order, and undone newest first.
 */
class ReleaseWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              ReleaseWorkflowImpl.class,
              SchemaMigrationWorkflowImpl.class,
              RollingDeploymentWorkflowImpl.class,
              FlagRolloutWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  static final List<Target> FLEET =
      List.of(new Target("t1", "127.0.0.1", 9001, null), new Target("t2", "127.0.0.1", 9002, null));

  static DeploymentRequest deploy(String id, String version) {
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
        .deploymentId(id)
        .service(service)
        .version(version)
        .strategy("rolling")
        .rolling(
            new RollingOptions(null, null, Duration.ofMillis(100), null, null)
                .orElse(RollingOptions.DEFAULT))
        .requestedBy("ci")
        .build();
  }

  static Release release(String id) {
    return new Release(
        id,
        new MigrationSpec(
            "phone_rename",
            "app",
            List.of(MigrationOperation.renameColumn("users", "phone", "phone_number")),
            null,
            null),
        deploy("dep-" + id, "2.0.0"),
        deploy("dep-" + id + "-back", "1.0.0"),
        new FlagRollout(
            "flag-rollout-new-checkout",
            "new-checkout",
            "on",
            List.of(
                new FlagRollout.Stage(50, Duration.ZERO),
                new FlagRollout.Stage(100, Duration.ZERO)),
            null,
            false,
            "alice"),
        null,
        "alice");
  }

  static ReleaseWorkflow start(WorkflowClient client, Worker worker, Release release) {
    ReleaseWorkflow workflow =
        client.newWorkflowStub(
            ReleaseWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(release.releaseId())
                .setTaskQueue(worker.getTaskQueue())
                .build());
    WorkflowClient.start(workflow::run, release);
    return workflow;
  }

  static void awaitStage(ReleaseWorkflow workflow, Stage stage) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> workflow.status().stage() == stage);
  }

  @Test
  void theStagesRunInOrderAndContractWaitsForTheReleaseGate(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording migration = new Recording();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    RecordingFlags flags = new RecordingFlags();
    worker.registerActivitiesImplementations(migration, fleet, flags);
    env.start();
    ReleaseWorkflow workflow = start(client, worker, release("rel-1"));

    awaitStage(workflow, Stage.GATE);
    assertThat(migration.calls()).containsExactly("check", "expand", "backfill 0", "verify");
    assertThat(fleet.version("t1")).isEqualTo("2.0.0");
    assertThat(flags.changes()).hasSize(2);
    workflow.promote("all green");
    Status done = client.newUntypedWorkflowStub("rel-1").getResult(Status.class);

    assertThat(done.stage()).isEqualTo(Stage.COMPLETED);
    assertThat(migration.calls()).endsWith("verify", "contract");
  }

  @Test
  void anAbortAtTheGateUndoesTheFlagTheDeploymentAndTheMigrationNewestFirst(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording migration = new Recording();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    RecordingFlags flags = new RecordingFlags();
    worker.registerActivitiesImplementations(migration, fleet, flags);
    env.start();
    ReleaseWorkflow workflow = start(client, worker, release("rel-2"));
    awaitStage(workflow, Stage.GATE);

    workflow.abort("support tickets");
    Status done = client.newUntypedWorkflowStub("rel-2").getResult(Status.class);

    assertThat(done.stage()).isEqualTo(Stage.ROLLED_BACK);
    assertThat(flags.changes()).last().asString().startsWith("on@0");
    assertThat(fleet.version("t1")).as("rolled back to the previous version").isEqualTo("1.0.0");
    assertThat(migration.calls()).endsWith("rollback").doesNotContain("contract");
    List<String> events = done.events();
    int flagBack = indexOf(events, "back to 0%");
    int deployBack = indexOf(events, "rollback to 1.0.0");
    int migrationBack = indexOf(events, "migration ROLLED_BACK");
    assertThat(flagBack).isLessThan(deployBack);
    assertThat(deployBack).isLessThan(migrationBack);
    // The rollback is a deployment with its own record in the ledger, begun before it runs.
    List<String> operations = fleet.operations();
    assertThat(operations).contains("ledger begin dep-rel-2-back");
    assertThat(operations.indexOf("ledger begin dep-rel-2-back"))
        .isLessThan(lastIndexOfPrefix(operations, "deploy "));
    assertThat(done.children().rollback()).isEqualTo("dep-rel-2-back");
  }

  @Test
  void aRollbackTheLedgerRefusesIsNotRunAndTheReleaseEndsFailedForAPersonToLookAt(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording migration = new Recording();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    RecordingFlags flags = new RecordingFlags();
    worker.registerActivitiesImplementations(migration, fleet, flags);
    env.start();
    ReleaseWorkflow workflow = start(client, worker, release("rel-5"));
    awaitStage(workflow, Stage.GATE);
    fleet.serviceHeldBy("dep-someone-else"); // deployed the service while the release waited

    workflow.abort("support tickets");
    Status done = client.newUntypedWorkflowStub("rel-5").getResult(Status.class);

    assertThat(done.stage()).isEqualTo(Stage.FAILED);
    assertThat(done.reason())
        .startsWith("aborted: support tickets")
        .contains("rollback to 1.0.0 not started: dep-someone-else");
    assertThat(fleet.version("t1")).as("their deployment is left alone").isEqualTo("2.0.0");
    assertThat(flags.changes()).last().asString().startsWith("on@0");
    assertThat(migration.calls()).endsWith("rollback");
  }

  @Test
  void aFailedMigrationClosesTheWaitingDeploymentsRecordAndDeploysNothing(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording migration = new Recording().failBackfillWith("lock timeout on users, 20 times");
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    RecordingFlags flags = new RecordingFlags();
    worker.registerActivitiesImplementations(migration, fleet, flags);
    env.start();
    start(client, worker, release("rel-4"));

    Status done = client.newUntypedWorkflowStub("rel-4").getResult(Status.class);

    assertThat(done.stage()).isEqualTo(Stage.FAILED);
    assertThat(done.reason()).startsWith("migration ended");
    assertThat(fleet.operations())
        .as("nothing deployed, the API's record of the deployment closed")
        .containsExactly("ledger abandon dep-rel-4");
    assertThat(flags.changes()).isEmpty();
    assertThat(done.children().deployment()).isEqualTo("dep-rel-4");
    assertThat(done.children().migration()).isEqualTo("migration-app");
  }

  @Test
  void aFailedDeploymentRollsTheMigrationBackAndNeverTouchesTheFlag(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording migration = new Recording();
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0").badVersion("2.0.0");
    RecordingFlags flags = new RecordingFlags();
    worker.registerActivitiesImplementations(migration, fleet, flags);
    env.start();
    start(client, worker, release("rel-3"));

    Status done = client.newUntypedWorkflowStub("rel-3").getResult(Status.class);

    assertThat(done.stage()).isEqualTo(Stage.ROLLED_BACK);
    assertThat(done.reason()).startsWith("deployment 2.0.0 ended");
    assertThat(flags.changes()).isEmpty();
    assertThat(migration.calls()).endsWith("rollback").doesNotContain("contract");
  }

  private static int lastIndexOfPrefix(List<String> operations, String prefix) {
    for (int i = operations.size() - 1; i >= 0; i--) {
      if (operations.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no operation starting \"" + prefix + "\" in " + operations);
  }

  private static int indexOf(List<String> events, String text) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("no event with \"" + text + "\" in " + events);
  }
}
