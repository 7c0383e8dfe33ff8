package dev.sluice.workflows.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.DualWriteMigration;
import dev.sluice.workflows.activities.DualWriteActivities;
import dev.sluice.workflows.activities.FlagActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dual-write phases with a recorded flag and counters the test controls. */
class DualWriteMigrationWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(DualWriteMigrationWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  /** The phase flag's moves, in order. */
  static final class Flag implements FlagActivities {
    final List<String> moves = new ArrayList<>();

    @Override
    public synchronized FlagChange setVariant(RolloutCall call) {
      moves.add(call.variant());
      return new FlagChange(call.flagKey(), moves.size());
    }

    @Override
    public FlagChange setRollout(RolloutCall call) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FlagChange disable(RolloutCall call) {
      throw new UnsupportedOperationException();
    }

    synchronized List<String> moves() {
      return List.copyOf(moves);
    }
  }

  /** 100 more compared reads per reading, {@code mismatchesPerReading} of them differing. */
  static final class Counting implements DualWriteActivities {
    long compared;
    long mismatches;
    volatile long mismatchesPerReading;

    @Override
    public synchronized Counters counters(String name, List<String> metricsUrls) {
      compared += 100;
      mismatches += mismatchesPerReading;
      return new Counters(compared, mismatches, 0);
    }
  }

  static DualWriteMigrationWorkflow start(WorkflowClient client, Worker worker) {
    DualWriteMigrationWorkflow workflow =
        client.newWorkflowStub(
            DualWriteMigrationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(DualWriteMigrationWorkflow.workflowId("accounts"))
                .setTaskQueue(worker.getTaskQueue())
                .build());
    WorkflowClient.start(
        workflow::run,
        new DualWriteMigration(
            "accounts",
            "accounts-migration",
            List.of("http://127.0.0.1:9001/metrics"),
            Duration.ofMillis(300),
            0,
            "alice",
            0));
    return workflow;
  }

  static void promoteIn(DualWriteMigrationWorkflow workflow, String phase) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> workflow.status().phase().equals(phase));
    workflow.promote("looks right");
  }

  @Test
  void cleanWindowsAndPromotesMoveTheFlagThroughEveryPhase(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Flag flag = new Flag();
    worker.registerActivitiesImplementations(flag, new Counting());
    env.start();
    DualWriteMigrationWorkflow workflow = start(client, worker);

    promoteIn(workflow, "dual-write");
    promoteIn(workflow, "shadow-read");
    promoteIn(workflow, "read-new");
    DualWriteMigrationWorkflow.Status done =
        client
            .newUntypedWorkflowStub("dual-write-accounts")
            .getResult(DualWriteMigrationWorkflow.Status.class);

    assertThat(done.state()).isEqualTo("COMPLETED");
    assertThat(flag.moves()).containsExactly("dual-write", "shadow-read", "read-new", "new-only");
  }

  @Test
  void mismatchesPauseTheMigrationAndAnAbortTakesTheFlagBackToTheOldStore(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Flag flag = new Flag();
    Counting counters = new Counting();
    worker.registerActivitiesImplementations(flag, counters);
    env.start();
    DualWriteMigrationWorkflow workflow = start(client, worker);
    promoteIn(workflow, "dual-write");
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> workflow.status().phase().equals("shadow-read"));
    counters.mismatchesPerReading = 3;
    workflow.promote("go on");

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> workflow.status().state().equals("PAUSED"));
    assertThat(workflow.status().reason()).contains("3 of 100 compared reads differed");
    assertThat(flag.moves())
        .as("a promote does not move a phase with mismatches on")
        .containsExactly("dual-write", "shadow-read");
    workflow.abort("the new store loses trailing spaces");
    DualWriteMigrationWorkflow.Status done =
        client
            .newUntypedWorkflowStub("dual-write-accounts")
            .getResult(DualWriteMigrationWorkflow.Status.class);

    assertThat(done.state()).isEqualTo("ROLLED_BACK");
    assertThat(flag.moves()).containsExactly("dual-write", "shadow-read", "old-only");
  }
}
