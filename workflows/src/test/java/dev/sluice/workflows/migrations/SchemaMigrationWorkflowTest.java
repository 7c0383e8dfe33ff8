package dev.sluice.workflows.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import dev.sluice.workflows.activities.MigrationActivities;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Phase;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Status;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The migration workflow's phases and controls, with recorded activities and time skipping. */
public class SchemaMigrationWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(SchemaMigrationWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  /** Records calls; a backfill failure or a blocked contract when a test asks for one. */
  public static final class Recording implements MigrationActivities {
    final List<String> calls = new ArrayList<>();
    volatile String backfillFailure;
    volatile long remaining;
    volatile CountDownLatch contractStarted;
    volatile CountDownLatch contractMayFinish;

    synchronized void call(String name) {
      calls.add(name);
    }

    public synchronized List<String> calls() {
      return List.copyOf(calls);
    }

    /** Makes every backfill fail, not to be retried, with {@code message}. */
    public Recording failBackfillWith(String message) {
      backfillFailure = message;
      return this;
    }

    @Override
    public Plan check(MigrationSpec spec) {
      call("check");
      return new Plan(List.of(0), List.of("operations[0]: rename users.phone to phone_number"));
    }

    @Override
    public void expand(MigrationSpec spec) {
      call("expand");
    }

    @Override
    public Backfilled backfill(MigrationSpec spec, int index) {
      call("backfill " + index);
      if (backfillFailure != null) {
        throw ApplicationFailure.newNonRetryableFailure(backfillFailure, "InvalidMigration");
      }
      return new Backfilled(1000, 10, 0);
    }

    @Override
    public Verified verify(MigrationSpec spec) {
      call("verify");
      return new Verified(Map.of(0, remaining));
    }

    @Override
    public void contract(MigrationSpec spec) {
      call("contract");
      if (contractStarted != null) {
        contractStarted.countDown();
        try {
          contractMayFinish.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void rollback(MigrationSpec spec) {
      call("rollback");
    }
  }

  static MigrationSpec spec(MigrationSpec.Gate gate) {
    return new MigrationSpec(
        "phone_rename",
        "app",
        List.of(MigrationOperation.renameColumn("users", "phone", "phone_number")),
        null,
        gate);
  }

  static SchemaMigrationWorkflow start(WorkflowClient client, Worker worker, MigrationSpec spec) {
    SchemaMigrationWorkflow workflow =
        client.newWorkflowStub(
            SchemaMigrationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(SchemaMigrationWorkflow.workflowId(spec.datasource()))
                .setTaskQueue(worker.getTaskQueue())
                .build());
    WorkflowClient.start(workflow::run, spec, "alice");
    return workflow;
  }

  static void awaitPhase(SchemaMigrationWorkflow workflow, Phase phase) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> workflow.status().phase() == phase);
  }

  static Status result(WorkflowClient client) {
    return client.newUntypedWorkflowStub("migration-app").getResult(Status.class);
  }

  @Test
  void thePhasesRunInOrderAndContractWaitsForPromote(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording activities = new Recording();
    worker.registerActivitiesImplementations(activities);
    env.start();
    SchemaMigrationWorkflow workflow = start(client, worker, spec(null));

    awaitPhase(workflow, Phase.WAITING);
    assertThat(activities.calls()).containsExactly("check", "expand", "backfill 0", "verify");
    workflow.promote("2.0 is everywhere");
    Status done = result(client);

    assertThat(done.phase()).isEqualTo(Phase.COMPLETED);
    assertThat(done.rowsBackfilled()).isEqualTo(1000);
    assertThat(activities.calls())
        .containsExactly("check", "expand", "backfill 0", "verify", "contract");
  }

  @Test
  void anAbortAtTheGateRollsBackAndNeverContracts(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording activities = new Recording();
    worker.registerActivitiesImplementations(activities);
    env.start();
    SchemaMigrationWorkflow workflow = start(client, worker, spec(null));
    awaitPhase(workflow, Phase.WAITING);

    workflow.abort("the new app has a bug");
    Status done = result(client);

    assertThat(done.phase()).isEqualTo(Phase.ROLLED_BACK);
    assertThat(done.reason()).isEqualTo("aborted: the new app has a bug");
    assertThat(activities.calls()).endsWith("verify", "rollback").doesNotContain("contract");
  }

  @Test
  void anAbortOnceContractHasBegunIsRefused(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    Recording activities = new Recording();
    activities.contractStarted = new CountDownLatch(1);
    activities.contractMayFinish = new CountDownLatch(1);
    worker.registerActivitiesImplementations(activities);
    env.start();
    SchemaMigrationWorkflow workflow = start(client, worker, spec(null));
    awaitPhase(workflow, Phase.WAITING);
    workflow.promote(null);
    assertThat(activities.contractStarted.await(30, TimeUnit.SECONDS)).isTrue();

    workflow.abort("second thoughts");
    activities.contractMayFinish.countDown();
    Status done = result(client);

    assertThat(done.phase()).isEqualTo(Phase.COMPLETED);
    assertThat(activities.calls()).doesNotContain("rollback");
    assertThat(done.events()).anyMatch(e -> e.contains("abort refused in CONTRACTING"));
  }

  @Test
  void aFailedBackfillRollsBackWithItsReason(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording activities = new Recording();
    activities.backfillFailure = "operations[0].up: division by zero";
    worker.registerActivitiesImplementations(activities);
    env.start();
    start(client, worker, spec(null));

    Status done = result(client);

    assertThat(done.phase()).isEqualTo(Phase.ROLLED_BACK);
    assertThat(done.reason()).isEqualTo("failed: operations[0].up: division by zero");
    assertThat(activities.calls()).containsExactly("check", "expand", "backfill 0", "rollback");
  }

  @Test
  void rowsLeftAfterTheBackfillFailVerifyAndRollBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording activities = new Recording();
    activities.remaining = 3;
    worker.registerActivitiesImplementations(activities);
    env.start();
    start(client, worker, spec(null));

    Status done = result(client);

    assertThat(done.phase()).isEqualTo(Phase.ROLLED_BACK);
    assertThat(done.reason()).contains("verify failed: operation 1: 3 rows left to backfill");
    assertThat(activities.calls()).endsWith("verify", "rollback");
  }

  @Test
  void aTimedGateContractsByItselfAfterItsTime(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording activities = new Recording();
    worker.registerActivitiesImplementations(activities);
    env.start();
    long before = env.currentTimeMillis();
    start(client, worker, spec(new MigrationSpec.Gate(false, Duration.ofHours(2))));

    Status done = result(client);

    assertThat(done.phase()).isEqualTo(Phase.COMPLETED);
    assertThat(env.currentTimeMillis() - before)
        .isGreaterThanOrEqualTo(Duration.ofHours(2).toMillis());
    assertThat(activities.calls()).endsWith("verify", "contract");
  }

  @Test
  void cancellingFromTheTemporalUiRollsBack(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Recording activities = new Recording();
    worker.registerActivitiesImplementations(activities);
    env.start();
    SchemaMigrationWorkflow workflow = start(client, worker, spec(null));
    awaitPhase(workflow, Phase.WAITING);

    WorkflowStub stub = client.newUntypedWorkflowStub("migration-app");
    stub.cancel();

    assertThatThrownBy(() -> stub.getResult(Status.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(activities.calls()).endsWith("rollback").doesNotContain("contract");
  }
}
