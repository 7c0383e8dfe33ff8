package dev.sluice.api.migrations;

import dev.sluice.activities.migrations.Datasources;
import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.common.Queries;
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
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/migrations}: expand-contract schema migrations, one at a time per datasource
 * (addressed by the datasource's name). A spec is checked before anything starts (400 naming the
 * field); the catalog checks run in the workflow's first step, and a spec that cannot apply there
 * ends the migration before any DDL. Every start and control is audited.
 */
@Path("/api/v1/migrations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class MigrationsResource {

  private final Datasources datasources;
  private final Ledger ledger;
  private final WorkflowClient client;
  private final String taskQueue;

  public MigrationsResource(
      Datasources datasources, Ledger ledger, WorkflowClient client, String taskQueue) {
    this.datasources = datasources;
    this.ledger = ledger;
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /** A spec on the wire: durations as "500ms", "30m", "1d" or ISO-8601. */
  public record MigrationBody(
      String name,
      String datasource,
      List<MigrationOperation> operations,
      BackfillBody backfill,
      GateBody gate,
      VerifyBody verify,
      String reason) {}

  /** {@code checksums}: compare every copied value with its source before the gate. */
  public record VerifyBody(Boolean checksums) {}

  public record BackfillBody(
      Integer batchSize,
      String delay,
      String lockTimeout,
      String throttleQuery,
      Double throttleAbove) {}

  public record GateBody(Boolean promote, String after) {}

  public record ReasonBody(String reason) {}

  @POST
  public Response start(MigrationBody body, @Context ContainerRequestContext request) {
    MigrationSpec spec = MigrationSpecs.parse(body, datasources);
    String actor = ActorFilter.actor(request);
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
      WorkflowClient.start(workflow::run, spec, actor);
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
    return Response.accepted(
            new Status(
                spec.name(), spec.datasource(), Phase.CHECKING, 0, null, List.of("starting")))
        .header("Location", "/api/v1/migrations/" + spec.datasource())
        .build();
  }

  /** The migration on {@code datasource} now (or the last one that ran there). */
  @GET
  @Path("/{datasource}")
  public Status status(@PathParam("datasource") String datasource) {
    return Queries.orUnavailable(() -> query(datasource), "the migration on " + datasource);
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
   * contract has begun, because the old columns are gone by then.
   */
  @POST
  @Path("/{datasource}/{action}")
  public Response control(
      @PathParam("datasource") String datasource,
      @PathParam("action") String action,
      ReasonBody body,
      @Context ContainerRequestContext request) {
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
        ActorFilter.actor(request),
        "migration." + action,
        datasource,
        reason == null ? null : Map.of("reason", reason));
    return Response.accepted(
            now == null
                ? Queries.pending(id, action)
                : Queries.within(() -> query(datasource)).orElse(now))
        .build();
  }

  /** Throws the 409 for a control that does not apply where the migration stands. */
  private static void refuse(String action, String datasource, Status now) {
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
