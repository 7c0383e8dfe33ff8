package dev.sluice.api.releases;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.Settings;
import dev.sluice.activities.migrations.Datasources;
import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.common.Ids;
import dev.sluice.api.common.Queries;
import dev.sluice.api.deployments.DeploymentCreate;
import dev.sluice.api.deployments.Deployments;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.flags.FlagRollouts;
import dev.sluice.api.migrations.MigrationSpecs;
import dev.sluice.api.migrations.MigrationsResource.MigrationBody;
import dev.sluice.api.services.ServiceSpec;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.FlagRollout;
import dev.sluice.model.MigrationSpec;
import dev.sluice.model.Release;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow;
import dev.sluice.workflows.release.ReleaseWorkflow;
import dev.sluice.workflows.release.ReleaseWorkflow.Stage;
import dev.sluice.workflows.release.ReleaseWorkflow.Status;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowServiceException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/releases}: one call runs a whole release — migration expand and backfill →
 * deployment → flag rollout → gate → contract — as a {@link ReleaseWorkflow} whose stages are child
 * workflows. Everything is checked before anything starts (400/422 naming the field, under its
 * stage: {@code deployment.version}, {@code migration.operations[0].table}); the service is taken
 * for the release at once, so nothing else deploys it while the backfill runs (409 naming the
 * holder). Every start and control is audited.
 */
@Path("/api/v1/releases")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ReleasesResource {

  static final Pattern ID = Pattern.compile("rel-[0-9a-f]{12}");
  static final String FINGERPRINT = "sluiceRequestFingerprint";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration MAX_GATE = Duration.ofDays(30);

  private static final Logger LOG = LoggerFactory.getLogger(ReleasesResource.class);

  private final Deployments deployments;
  private final FlagRollouts rollouts;
  private final Datasources datasources;
  private final Ledger ledger;
  private final WorkflowClient client;
  private final String taskQueue;

  public ReleasesResource(
      Deployments deployments,
      FlagRollouts rollouts,
      Datasources datasources,
      Ledger ledger,
      WorkflowClient client,
      String taskQueue) {
    this.deployments = deployments;
    this.rollouts = rollouts;
    this.datasources = datasources;
    this.ledger = ledger;
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /**
   * A release on the wire; every stage optional, at least one given.
   *
   * @param migration an expand-contract migration, as {@code POST /api/v1/migrations} takes it; its
   *     own gate is left out: the release opens it after the release's gate
   * @param deployment a deployment, as {@code POST /api/v1/deployments} takes it
   * @param flagRollout a rollout of {@code flag}, as {@code POST /api/v1/flags/{key}/rollout} takes
   *     it
   * @param gate the release's gate before contract: {@code {"after": "2h"}} opens by itself; left
   *     out, it waits for {@code promote}
   */
  public record ReleaseBody(
      MigrationBody migration,
      DeploymentCreate deployment,
      FlagRolloutBody flagRollout,
      GateBody gate,
      String reason) {}

  public record FlagRolloutBody(
      String flag,
      String variant,
      List<FlagRollouts.StageBody> stages,
      FlagRollouts.GateBody gate,
      Boolean killOnFailure) {}

  public record GateBody(String after) {}

  public record ReasonBody(String reason) {}

  /** A release as the API shows it: its stage, its events and links to each stage's own view. */
  public record ReleaseView(
      String id,
      String stage,
      String reason,
      List<String> events,
      ReleaseWorkflow.Children children,
      Map<String, String> links) {}

  /**
   * Starts a release: 202 with its id and links. With an {@code Idempotency-Key} the release id is
   * derived from the key, and a repeated request answers with the release the first one started
   * (header {@code Idempotent-Replayed: true}).
   */
  @POST
  public Response start(
      ReleaseBody body,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      @Context ContainerRequestContext request) {
    String actor = ActorFilter.actor(request);
    if (idempotencyKey != null && Ids.badIdempotencyKey(idempotencyKey)) {
      throw ApiException.badRequest("Idempotency-Key", Ids.IDEMPOTENCY_KEY_RULE);
    }
    String releaseId =
        idempotencyKey == null ? Ids.random("rel-") : idFromKey(actor, idempotencyKey);
    String fingerprint = fingerprint(body);
    if (idempotencyKey != null) {
      Optional<String> first = startedWith(releaseId);
      if (first.isPresent()) {
        if (!first.get().equals(fingerprint)) {
          throw ApiException.invalid(
              "Idempotency-Key",
              "was already used for release " + releaseId + " with a different request");
        }
        return accepted(current(releaseId).orElseGet(() -> unanswered(releaseId)), true);
      }
    }
    if (body == null) {
      throw ApiException.badRequest(
          null, "a JSON body with at least one of migration, deployment, flagRollout is required");
    }
    if (body.migration() == null && body.deployment() == null && body.flagRollout() == null) {
      throw ApiException.badRequest(
          "deployment", "a release needs at least one of migration, deployment, flagRollout");
    }
    if (body.reason() != null && body.reason().length() > 1000) {
      throw ApiException.badRequest("reason", "must be at most 1000 characters");
    }

    // --- check everything before anything starts --------------------------------------------
    MigrationSpec migration = null;
    if (body.migration() != null) {
      if (body.migration().gate() != null) {
        throw ApiException.badRequest(
            "migration.gate",
            "a release opens its migration's gate itself, after the release's gate: set gate on"
                + " the release");
      }
      try {
        migration = MigrationSpecs.parse(body.migration(), datasources);
      } catch (ApiException e) {
        throw e.nested("migration");
      }
    }
    Deployments.Prepared deployment = null;
    DeploymentRequest rollback = null;
    if (body.deployment() != null) {
      try {
        deployment = deployments.prepare(body.deployment(), null, actor);
        rollback = rollbackOf(deployment, body.deployment().overrides(), actor);
      } catch (ApiException e) {
        throw e.nested("deployment");
      }
    }
    FlagRollout rollout = null;
    if (body.flagRollout() != null) {
      FlagRolloutBody f = body.flagRollout();
      if (f.flag() == null || f.flag().isBlank()) {
        throw ApiException.badRequest("flagRollout.flag", "is required: the flag's key");
      }
      try {
        rollout =
            rollouts.plan(
                f.flag(),
                new FlagRollouts.RolloutPlan(
                    f.variant(), f.stages(), f.gate(), f.killOnFailure(), null),
                actor);
      } catch (ApiException e) {
        if (e.status() == 404) {
          throw ApiException.invalid("flagRollout.flag", "no flag \"" + f.flag() + "\"");
        }
        throw e.nested("flagRollout");
      }
    }
    Duration gateAfter = gateAfter(body.gate());
    if (migration != null
        && Queries.running(client, SchemaMigrationWorkflow.workflowId(migration.datasource()))) {
      throw ApiException.conflict(
          "migration_running",
          "a migration is running on " + migration.datasource() + "; one at a time per database",
          Map.of("migration", "/api/v1/migrations/" + migration.datasource()));
    }
    if (rollout != null && rollouts.running(rollout.flagKey())) {
      throw ApiException.conflict(
          "rollout_running",
          "a rollout of " + rollout.flagKey() + " is running; abort it first",
          Map.of("rollout", "/api/v1/flags/" + rollout.flagKey() + "/rollouts/current"));
    }

    // --- take the service, then start ---------------------------------------------------------
    if (deployment != null) {
      // Keyed by the release: a retry after this API died between here and the start finds its
      // own reservation and goes on to start the release.
      deployments.reserve(
          deployment,
          releaseId,
          idempotencyKey == null ? null : "release:" + releaseId,
          fingerprint);
    }
    Release release =
        new Release(
            releaseId,
            migration,
            deployment == null ? null : deployment.request(),
            rollback,
            rollout,
            gateAfter,
            actor);
    try {
      ReleaseWorkflow workflow =
          client.newWorkflowStub(
              ReleaseWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(releaseId)
                  .setTaskQueue(taskQueue)
                  .setWorkflowIdReusePolicy(
                      WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                  .setStaticSummary(summary(release))
                  .setStaticDetails("requested by **" + actor + "**")
                  .setMemo(Map.of(FINGERPRINT, fingerprint))
                  .build());
      WorkflowClient.start(workflow::run, release);
    } catch (WorkflowExecutionAlreadyStarted concurrent) {
      // The same key got here first (its reservation is the one this request found): the
      // release runs, which is what was asked.
      return accepted(current(releaseId).orElseGet(() -> unanswered(releaseId)), true);
    } catch (RuntimeException e) {
      LOG.warn("Starting release {} failed", releaseId, e);
      boolean started;
      try {
        started = startedWith(releaseId).isPresent();
      } catch (RuntimeException unreachable) {
        // The start may or may not have reached Temporal. The reservation stays; the next
        // request for this service finds the release missing or running and acts on it.
        throw ApiException.unavailable(
            "Temporal did not answer ("
                + e.getMessage()
                + "); release "
                + releaseId
                + " may not have started: GET /api/v1/releases/"
                + releaseId
                + " later");
      }
      if (!started) {
        if (deployment != null) {
          deployments.release(
              deployment.request().deploymentId(), "release did not start: " + e.getMessage());
        }
        throw ApiException.unavailable(
            "Temporal did not accept the release (" + e.getMessage() + "); nothing was started");
      }
      // The start reached Temporal although its answer did not reach us: go on.
    }
    Map<String, Object> details = new LinkedHashMap<>();
    if (migration != null) {
      details.put("migration", migration.name() + " on " + migration.datasource());
    }
    if (deployment != null) {
      details.put(
          "deployment",
          deployment.request().deploymentId()
              + " "
              + deployment.request().service().name()
              + " "
              + deployment.request().version());
    }
    if (rollout != null) {
      details.put("flagRollout", rollout.flagKey() + " " + rollout.variant());
    }
    details.put("gateAfter", gateAfter == null ? null : gateAfter.toString());
    if (body.reason() != null) {
      details.put("reason", body.reason());
    }
    ledger.audit(actor, "release.start", releaseId, details);
    // Not a query: that needs a worker to answer, and the release has just been handed to one.
    Stage first =
        migration != null
            ? Stage.MIGRATION
            : deployment != null ? Stage.DEPLOYMENT : Stage.FLAG_ROLLOUT;
    return accepted(
        view(
            releaseId,
            new Status(first, null, List.of("starting"), ReleaseWorkflow.Children.of(release))),
        false);
  }

  @GET
  @Path("/{id}")
  public ReleaseView get(@PathParam("id") String id) {
    return view(id);
  }

  /**
   * {@code promote} opens the release's gate (sent before the gate, it is remembered); {@code
   * abort} undoes the stages that ran, newest first — refused (409) once contract has begun.
   */
  @POST
  @Path("/{id}/{action}")
  public Response control(
      @PathParam("id") String id,
      @PathParam("action") String action,
      ReasonBody body,
      @Context ContainerRequestContext request) {
    if (!action.equals("promote") && !action.equals("abort")) {
      throw ApiException.notFound("unknown action \"" + action + "\"; actions: promote, abort");
    }
    String reason = body == null ? null : body.reason();
    if (reason != null && reason.length() > 1000) {
      throw ApiException.badRequest("reason", "must be at most 1000 characters");
    }
    if (!ID.matcher(id).matches()) {
      throw ApiException.notFound("no release " + id);
    }
    ReleaseView now = current(id).orElse(null);
    String actor = ActorFilter.actor(request);
    Map<String, Object> audit = new LinkedHashMap<>();
    audit.put("reason", reason);
    String why = actor + (reason == null ? "" : ": " + reason);
    if (now == null) {
      // No worker to say where it stands: a running release still takes the signal, and judges
      // it itself when a worker picks it up (abort once contract began is refused there).
      if (!Queries.running(client, id)) {
        throw ApiException.conflict(
            "rejected", action + ": release " + id + " is not running", Map.of());
      }
      Queries.signal(client, id, action, why);
      audit.put("outcome", "sent; no worker answered for its state");
      ledger.audit(actor, "release." + action, id, audit);
      return Response.accepted(Queries.pending(id, action)).build();
    }
    Stage stage = Stage.valueOf(now.stage());
    String refused = null;
    if (stage == Stage.COMPLETED || stage == Stage.ROLLED_BACK || stage == Stage.FAILED) {
      refused = action + ": release " + id + " has ended (" + stage + ")";
    } else if (action.equals("abort") && stage == Stage.CONTRACT) {
      refused =
          "abort: release "
              + id
              + " is contracting its migration; the old schema is being dropped and cannot be"
              + " restored";
    } else if (action.equals("promote") && stage == Stage.CONTRACT) {
      refused = "promote: release " + id + " is past its gate";
    }
    if (refused != null) {
      audit.put("outcome", "rejected: " + refused);
      ledger.audit(actor, "release." + action, id, audit);
      throw ApiException.conflict("rejected", refused, Map.of("stage", stage.name()));
    }
    Queries.signal(client, id, action, why);
    audit.put("outcome", "accepted");
    ledger.audit(actor, "release." + action, id, audit);
    return Response.accepted(current(id).orElse(now)).build();
  }

  // --- helpers ------------------------------------------------------------------------------

  /**
   * The deployment that takes the service back to the version it runs now, should a later stage
   * fail: the service's default strategy with the forward deployment's rolling overrides (it goes
   * back the way it came), no post-deploy window (as a service rollback). None when the service has
   * never run a version.
   */
  private DeploymentRequest rollbackOf(
      Deployments.Prepared deployment, ServiceSpec.RollingSpec overrides, String actor) {
    String previous = deployment.previousVersion();
    if (previous == null) {
      return null;
    }
    return deployments
        .prepare(
            new DeploymentCreate(
                deployment.request().service().name(),
                previous,
                null,
                overrides,
                null,
                null,
                new ServiceSpec.AutoRollbackBody("0s", null, null, null)),
            null,
            actor)
        .request();
  }

  private static Duration gateAfter(GateBody gate) {
    if (gate == null || gate.after() == null) {
      return null;
    }
    Duration after;
    try {
      after = Settings.parseDuration(gate.after());
    } catch (RuntimeException e) {
      throw ApiException.badRequest(
          "gate.after", "must be a duration like \"30m\", \"2h\", \"1d\"");
    }
    if (after.isNegative() || after.compareTo(MAX_GATE) > 0) {
      throw ApiException.badRequest(
          "gate.after", "must be between 0 and " + MAX_GATE.toDays() + " days");
    }
    return after;
  }

  private static String summary(Release release) {
    List<String> parts = new ArrayList<>();
    if (release.migration() != null) {
      parts.add("migration " + release.migration().name());
    }
    if (release.deployment() != null) {
      parts.add(
          release.deployment().service().name()
              + " "
              + release.deployment().version()
              + " ("
              + release.deployment().strategy()
              + ")");
    }
    if (release.flagRollout() != null) {
      parts.add("flag " + release.flagRollout().flagKey());
    }
    return "release: " + String.join(" → ", parts);
  }

  private ReleaseView view(String id) {
    return Queries.orUnavailable(() -> query(id), "release " + id);
  }

  /** What is known of a release no worker answered for: that it exists, and where it lives. */
  private static ReleaseView unanswered(String id) {
    return new ReleaseView(
        id,
        "UNKNOWN",
        "no worker answered for its state within " + Queries.TIMEOUT.toSeconds() + " s",
        List.of(),
        null,
        Map.of("self", "/api/v1/releases/" + id));
  }

  /** The release now; empty when no worker answers in time. */
  private java.util.Optional<ReleaseView> current(String id) {
    return Queries.within(() -> query(id));
  }

  private ReleaseView query(String id) {
    if (!ID.matcher(id).matches()) {
      throw ApiException.notFound("no release " + id);
    }
    Status status;
    try {
      status = client.newWorkflowStub(ReleaseWorkflow.class, id).status();
    } catch (WorkflowNotFoundException e) {
      throw ApiException.notFound("no release " + id);
    } catch (WorkflowQueryException | WorkflowServiceException e) {
      throw ApiException.unavailable(
          "release " + id + " could not be asked (is a worker running?): " + e.getMessage());
    }
    return view(id, status);
  }

  private static ReleaseView view(String id, Status status) {
    Map<String, String> links = new LinkedHashMap<>();
    links.put("self", "/api/v1/releases/" + id);
    ReleaseWorkflow.Children children = status.children();
    if (children != null) {
      if (children.migration() != null) {
        links.put(
            "migration",
            "/api/v1/migrations/" + children.migration().substring("migration-".length()));
      }
      if (children.deployment() != null) {
        links.put("deployment", "/api/v1/deployments/" + children.deployment());
      }
      if (children.rollback() != null) {
        links.put("rollback", "/api/v1/deployments/" + children.rollback());
      }
      if (children.flagRollout() != null) {
        links.put(
            "flagRollout",
            "/api/v1/flags/"
                + children.flagRollout().substring("flag-rollout-".length())
                + "/rollouts/current");
      }
    }
    return new ReleaseView(
        id, status.stage().name(), status.reason(), status.events(), children, Map.copyOf(links));
  }

  private static Response accepted(ReleaseView view, boolean replay) {
    return Response.accepted(view)
        .location(URI.create(view.links().get("self")))
        .header("Idempotent-Replayed", Boolean.toString(replay))
        .build();
  }

  /** The request fingerprint a release was started with; empty when there is no such release. */
  private Optional<String> startedWith(String releaseId) {
    try {
      Object memo =
          client.newUntypedWorkflowStub(releaseId).describe().getMemo(FINGERPRINT, String.class);
      return Optional.of(memo == null ? "" : memo.toString());
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Same request, same fingerprint: what an Idempotency-Key is compared on. */
  static String fingerprint(ReleaseBody body) {
    try {
      return Ids.sha256Hex(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same caller's same key names the same release. */
  static String idFromKey(String actor, String key) {
    return "rel-" + Ids.sha256Hex(actor + "\n" + key).substring(0, 12);
  }
}
