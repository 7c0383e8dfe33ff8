package dev.sluice.workflows.migrations;

import dev.sluice.model.MigrationSpec;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * An expand-contract schema migration: check → expand → backfill → verify → gate → contract. One
 * per datasource at a time (the workflow id is {@code migration-<datasource>}). Steered by signals,
 * also from the Temporal UI: {@code promote} opens the gate, {@code abort} rolls back (refused once
 * contract has begun); cancelling the workflow before contract rolls back too.
 */
@WorkflowInterface
public interface SchemaMigrationWorkflow {

  /** The workflow id of the migration on {@code datasource}: one at a time per database. */
  static String workflowId(String datasource) {
    return "migration-" + datasource;
  }

  /**
   * The signal a migration run by a parent (a release) sends it, with the migration's name, when
   * its backfill is verified and it waits at its gate. By name: the migration does not know its
   * parent's type.
   */
  String READY_SIGNAL = "migrationReady";

  @WorkflowMethod
  Status run(MigrationSpec spec, String requestedBy);

  @QueryMethod
  Status status();

  @SignalMethod
  void promote(String reason);

  @SignalMethod
  void abort(String reason);

  /** The phases, in order; the last three are where it ends. */
  enum Phase {
    CHECKING,
    EXPANDING,
    BACKFILLING,
    VERIFYING,
    WAITING,
    CONTRACTING,
    COMPLETED,
    ROLLING_BACK,
    ROLLED_BACK,
    FAILED;

    /** Whether rollback is still possible: contract has not begun. */
    public boolean reversible() {
      return ordinal() < CONTRACTING.ordinal() || this == ROLLING_BACK;
    }

    public boolean done() {
      return this == COMPLETED || this == ROLLED_BACK || this == FAILED;
    }
  }

  /**
   * Where a migration is.
   *
   * @param name the spec's name
   * @param datasource where it runs
   * @param phase the phase now
   * @param rowsBackfilled rows the finished backfills changed
   * @param reason why it rolled back or failed
   * @param events what happened, oldest first
   */
  record Status(
      String name,
      String datasource,
      Phase phase,
      long rowsBackfilled,
      String reason,
      List<String> events) {}
}
