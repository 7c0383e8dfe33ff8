package dev.sluice.workflows.migrations;

import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Phase;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflowTest.Recording;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiFunction;
import org.awaitility.Awaitility;

/**
 * Records the histories {@link SchemaMigrationReplayTest} and {@link DualWriteReplayTest} replay;
 * see RecordHistories (rolling) for when to run it.
 */
public final class RecordMigrationHistories {

  private RecordMigrationHistories() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Files.createDirectories(out);
    schema(
        out,
        "migration-completed",
        new Recording(),
        (client, worker) -> {
          SchemaMigrationWorkflow workflow =
              SchemaMigrationWorkflowTest.start(
                  client, worker, SchemaMigrationWorkflowTest.spec(null));
          SchemaMigrationWorkflowTest.awaitPhase(workflow, Phase.WAITING);
          workflow.promote("2.0 is everywhere");
          return SchemaMigrationWorkflowTest.result(client).phase();
        });
    schema(
        out,
        "migration-aborted",
        new Recording(),
        (client, worker) -> {
          SchemaMigrationWorkflow workflow =
              SchemaMigrationWorkflowTest.start(
                  client, worker, SchemaMigrationWorkflowTest.spec(null));
          SchemaMigrationWorkflowTest.awaitPhase(workflow, Phase.WAITING);
          workflow.abort("the new app has a bug");
          return SchemaMigrationWorkflowTest.result(client).phase();
        });
    schema(
        out,
        "migration-backfill-failed",
        new Recording().failBackfillWith("operations[0].up: division by zero"),
        (client, worker) -> {
          SchemaMigrationWorkflowTest.start(client, worker, SchemaMigrationWorkflowTest.spec(null));
          return SchemaMigrationWorkflowTest.result(client).phase();
        });
    dualWrite(
        out,
        "dual-write-completed",
        new DualWriteMigrationWorkflowTest.Counting(),
        (client, worker) -> {
          DualWriteMigrationWorkflow workflow =
              DualWriteMigrationWorkflowTest.start(client, worker);
          DualWriteMigrationWorkflowTest.promoteIn(workflow, "dual-write");
          DualWriteMigrationWorkflowTest.promoteIn(workflow, "shadow-read");
          DualWriteMigrationWorkflowTest.promoteIn(workflow, "read-new");
          return dualWriteResult(client).state();
        });
    DualWriteMigrationWorkflowTest.Counting counters =
        new DualWriteMigrationWorkflowTest.Counting();
    dualWrite(
        out,
        "dual-write-paused-rolled-back",
        counters,
        (client, worker) -> {
          DualWriteMigrationWorkflow workflow =
              DualWriteMigrationWorkflowTest.start(client, worker);
          DualWriteMigrationWorkflowTest.promoteIn(workflow, "dual-write");
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> workflow.status().phase().equals("shadow-read"));
          counters.mismatchesPerReading = 3;
          workflow.promote("go on");
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> workflow.status().state().equals("PAUSED"));
          workflow.resume("looked, still wrong");
          workflow.abort("the new store loses trailing spaces");
          return dualWriteResult(client).state();
        });
  }

  private static DualWriteMigrationWorkflow.Status dualWriteResult(WorkflowClient client) {
    return client
        .newUntypedWorkflowStub(DualWriteMigrationWorkflow.workflowId("accounts"))
        .getResult(DualWriteMigrationWorkflow.Status.class);
  }

  private static void schema(
      Path out, String name, Recording activities, BiFunction<WorkflowClient, Worker, ?> run)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(SchemaMigrationWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      Object outcome = run.apply(client, worker);
      write(out, name, client, SchemaMigrationWorkflow.workflowId("app"), outcome);
    }
  }

  private static void dualWrite(
      Path out,
      String name,
      DualWriteMigrationWorkflowTest.Counting counters,
      BiFunction<WorkflowClient, Worker, ?> run)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(DualWriteMigrationWorkflowImpl.class);
      worker.registerActivitiesImplementations(new DualWriteMigrationWorkflowTest.Flag(), counters);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      Object outcome = run.apply(client, worker);
      write(out, name, client, DualWriteMigrationWorkflow.workflowId("accounts"), outcome);
    }
  }

  private static void write(
      Path out, String name, WorkflowClient client, String workflowId, Object outcome)
      throws Exception {
    Files.writeString(out.resolve(name + ".json"), client.fetchHistory(workflowId).toJson(true));
    System.out.println(name + ": " + outcome);
  }
}
