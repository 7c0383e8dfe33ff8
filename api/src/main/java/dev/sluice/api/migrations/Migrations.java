package dev.sluice.api.migrations;

import dev.sluice.activities.migrations.Datasources;
import dev.sluice.api.common.Queries;
import dev.sluice.api.common.ReasonBody;
import dev.sluice.api.common.WorkflowStarts;
import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Phase;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Status;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starting, steering and showing expand-contract schema migrations, one at a time per datasource
 * (addressed by the datasource's name). A spec is checked before anything starts (400 naming the
 * field); the catalog checks run in the workflow's first step, and a spec that cannot apply there
 * ends the migration before any DDL. Every start and control is audited.
 */
public final class Migrations {

  private final Datasources datasources;
  private final Ledger ledger;
  private final WorkflowClient client;
  private final String taskQueue;

  public Migrations(
      Datasources datasources, Ledger ledger, WorkflowClient client, String taskQueue) {
    this.datasources = datasources;
    this.ledger = ledger;
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /**
   * Checks the spec and starts its migration: 400 naming the field, 409 while another migration
   * runs on the datasource. Returns where it stands now: checking.
   */
  public Status start(MigrationBody body, String actor) {
    MigrationSpec spec = MigrationSpecs.parse(body, datasources);
    String id = SchemaMigrationWorkflow.workflowId(spec.datasource());
    SchemaMigrationWorkflow workflow =
        client.newWorkflowStub(
            SchemaMigrationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(taskQueue)
                .setStaticSummary(
                    "migration "
                        + spec.name()
                        + " on "
                        + spec.datasource()
                        + ": "
                        + spec.operations().size()
                        + " operations")
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .build());
    try {
      WorkflowStarts.start(
          () -> WorkflowClient.start(workflow::run, spec, actor),
          "the migration on " + spec.datasource(),
          "GET /api/v1/migrations/" + spec.datasource());
    } catch (WorkflowExecutionAlreadyStarted running) {
      throw ApiException.conflict(
          "migration_running",
          "a migration is running on " + spec.datasource() + "; one at a time per database",
          Map.of("migration", id));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", spec.name());
    details.put("operations", spec.operations().stream().map(MigrationOperation::type).toList());
    if (body.reason() != null) {
      details.put("reason", body.reason());
    }
    ledger.audit(actor, "migration.start", spec.datasource(), details);
    return new Status(spec.name(), spec.datasource(), Phase.CHECKING, 0, null, List.of("starting"));
  }

  /** The migration on {@code datasource} now (or the last one that ran there). */
  public Status status(String datasource) {
    return Queries.orUnavailable(() -> query(datasource), "the migration on " + datasource);
  }

  /**
   * Every configured datasource, by name, with its migration: one query each (a migration's status
   * is its workflow's to say, so a worker answers); a datasource where none ran shows as {@code
   * none}. Once a query goes unanswered the rest are not asked ({@code unanswered}).
   */
  public List<MigrationEntry> list() {
    Queries.ForList queries = new Queries.ForList();
    List<MigrationEntry> list = new ArrayList<>();
    for (String datasource : datasources.names()) {
      Map<String, String> links = Map.of("self", "/api/v1/migrations/" + datasource);
      list.add(
          queries
              .within(() -> entry(datasource, links))
              .orElseGet(
                  () ->
                      new MigrationEntry(
                          datasource,
                          "unanswered",
                          null,
                          "no worker answered within " + Queries.TIMEOUT.toSeconds() + " s",
                          links)));
    }
    return list;
  }

  private MigrationEntry entry(String datasource, Map<String, String> links) {
    try {
      return new MigrationEntry(datasource, "status", query(datasource), null, links);
    } catch (ApiException e) {
      if (e.status() != 404) {
        throw e;
      }
      return new MigrationEntry(datasource, "none", null, e.body().message(), links);
    } catch (WorkflowServiceException e) {
      throw ApiException.unavailable("Temporal did not answer: " + e.getMessage());
    }
  }

  private Status query(String datasource) {
    try {
      return client
          .newWorkflowStub(
              SchemaMigrationWorkflow.class, SchemaMigrationWorkflow.workflowId(datasource))
          .status();
    } catch (WorkflowNotFoundException e) {
      throw ApiException.notFound("no migration has run on " + datasource);
    }
  }

  /**
   * {@code promote} opens the gate to contract; {@code abort} rolls back — refused (409) once
   * contract has begun, because the old columns are gone by then. Returns the body of the 202: the
   * migration now, or the pending answer when no worker said where it stands.
   */
  public Object control(String datasource, String action, ReasonBody body, String actor) {
    if (!action.equals("promote") && !action.equals("abort")) {
      throw ApiException.notFound("unknown action \"" + action + "\"; actions: promote, abort");
    }
    String reason = body == null ? null : body.reason();
    if (reason != null && reason.length() > 1000) {
      throw ApiException.badRequest("reason", "at most 1000 characters");
    }
    String id = SchemaMigrationWorkflow.workflowId(datasource);
    Queries.parent(client, id)
        .filter(parent -> Queries.running(client, parent))
        .ifPresent(
            release -> {
              throw ApiException.conflict(
                  "part_of_release",
                  action
                      + ": the migration on "
                      + datasource
                      + " is a stage of release "
                      + release
                      + "; steer the release: POST /api/v1/releases/"
                      + release
                      + "/{promote|abort}",
                  Map.of("release", "/api/v1/releases/" + release));
            });
    Status now = Queries.within(() -> query(datasource)).orElse(null);
    if (now == null && !Queries.running(client, id)) {
      throw ApiException.conflict(
          "migration_ended", action + ": no migration is running on " + datasource, Map.of());
    }
    // With no worker to say where it stands, a running migration still takes the signal and
    // judges it itself when a worker picks it up (abort after contract began is refused there).
    if (now != null) {
      refuse(action, datasource, now);
    }
    Queries.signal(client, id, action, reason);
    ledger.audit(
        actor, "migration." + action, datasource, reason == null ? null : Map.of("reason", reason));
    return now == null
        ? Queries.pending(id, action)
        : Queries.within(() -> query(datasource)).orElse(now);
  }

  /** Throws the 409 for a control that does not apply where the migration stands. */
  static void refuse(String action, String datasource, Status now) {
    if (now.phase().done()) {
      throw ApiException.conflict(
          "migration_ended",
          action
              + ": the migration "
              + now.name()
              + " has ended ("
              + now.phase()
              + ")"
              + (now.phase() == Phase.COMPLETED
                  ? "; contract dropped the old schema, so it cannot be rolled back: write a new"
                      + " migration"
                  : ""),
          Map.of("phase", now.phase().name()));
    }
    if (action.equals("abort") && !now.phase().reversible()) {
      throw ApiException.conflict(
          "rollback_refused",
          "abort: contract has begun on "
              + datasource
              + "; the old schema is being dropped and cannot be restored",
          Map.of("phase", now.phase().name()));
    }
    if (action.equals("promote") && now.phase() != Phase.WAITING) {
      throw ApiException.conflict(
          "not_waiting",
          "promote: the migration is " + now.phase() + ", not waiting at the gate",
          Map.of("phase", now.phase().name()));
    }
  }
}
