package dev.sluice.workflows.release;

import dev.sluice.model.Release;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow;
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
  @SignalMethod(name = SchemaMigrationWorkflow.READY_SIGNAL)
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

  /**
   * Where the release is.
   *
   * @param children the workflow ids of its stages; each is also visible on its own
   */
  record Status(Stage stage, String reason, List<String> events, Children children) {}

  /**
   * The workflow ids of a release's stages; {@code null} for a stage it does not have.
   *
   * @param migration the schema migration (also its datasource's migration id)
   * @param deployment the deployment of the new version (also its deployment id)
   * @param rollback the deployment that takes the service back, if one is needed
   * @param flagRollout the flag rollout
   */
  record Children(String migration, String deployment, String rollback, String flagRollout) {

    /** The workflow ids {@code release}'s stages run under. */
    public static Children of(Release release) {
      return new Children(
          release.migration() == null
              ? null
              : SchemaMigrationWorkflow.workflowId(release.migration().datasource()),
          release.deployment() == null ? null : release.deployment().deploymentId(),
          release.rollback() == null ? null : release.rollback().deploymentId(),
          release.flagRollout() == null ? null : release.flagRollout().rolloutId());
    }
  }
}
