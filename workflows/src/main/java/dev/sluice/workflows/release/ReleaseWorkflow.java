package dev.sluice.workflows.release;

import dev.sluice.model.Release;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * A whole release, each stage a child workflow visible in the Temporal UI: the schema migration
 * (left waiting at its gate after backfill), the deployment, the flag rollout, the release's gate,
 * then the migration's contract. A failure, an abort or a cancellation undoes the stages before it
 * in reverse order — flag back to 0%, deployment rolled back, migration rolled back — as far as
 * each can be; once contract has begun nothing is undone.
 */
@WorkflowInterface
public interface ReleaseWorkflow {

  @WorkflowMethod
  Status run(Release release);

  @QueryMethod
  Status status();

  /** Opens the release's gate: contract runs. */
  @SignalMethod
  void promote(String reason);

  @SignalMethod
  void abort(String reason);

  /** Sent by the migration child when its backfill is verified and it waits at its gate. */
  @SignalMethod
  void migrationReady(String name);

  /** The stages, in order; the last three are where a release ends. */
  enum Stage {
    MIGRATION,
    DEPLOYMENT,
    FLAG_ROLLOUT,
    GATE,
    CONTRACT,
    COMPLETED,
    ROLLED_BACK,
    FAILED
  }

  record Status(Stage stage, String reason, List<String> events) {}
}
