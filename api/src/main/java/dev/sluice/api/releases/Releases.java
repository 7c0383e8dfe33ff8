package dev.sluice.api.releases;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.Settings;
import dev.sluice.activities.migrations.Datasources;
import dev.sluice.api.common.Ids;
import dev.sluice.api.common.Queries;
import dev.sluice.api.common.ReasonBody;
import dev.sluice.api.deployments.DeploymentCreate;
import dev.sluice.api.deployments.Deployments;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.flags.FlagRollouts;
import dev.sluice.api.migrations.MigrationSpecs;
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
 * Starting, steering and showing releases: migration expand and backfill → deployment → flag
 * rollout → gate → contract, run as a {@link ReleaseWorkflow} whose stages are child workflows.
 * Everything is checked before anything starts (400/422 naming the field, under its stage: {@code
 * deployment.version}, {@code migration.operations[0].table}); the service is taken for the release
 * at once, so nothing else deploys it while the backfill runs (409 naming the holder). Every start
 * and control is audited.
 */
public final class Releases {

  static final Pattern ID = Pattern.compile("rel-[0-9a-f]{12}");
  static final String FINGERPRINT = "sluiceRequestFingerprint";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration MAX_GATE = Duration.ofDays(30);

  private static final Logger LOG = LoggerFactory.getLogger(Releases.class);

  private final Deployments deployments;
  private final FlagRollouts rollouts;
  private final Datasources datasources;
  private final Ledger ledger;
  private final WorkflowClient client;
  private final String taskQueue;
  private final ReleaseLists lists;

  public Releases(
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
    this.lists = new ReleaseLists(ledger, client);
  }

  /** Result of a start: the release, and whether an earlier request with its key started it. */
  public record Started(ReleaseView view, boolean replay) {}

  /**
   * Every stage of a release, checked and resolved, nothing started yet.
   *
   * @param rollback the deployment back to the version the service runs now, when there is one
   */
  private record Checked(
      MigrationSpec migration,
      Deployments.Prepared deployment,
      DeploymentRequest rollback,
      FlagRollout rollout,
      Duration gateAfter) {}

  /**
   * Starts a release. With an {@code Idempotency-Key} the release id is derived from the key, and a
   * repeated request answers with the release the first one started.
   *
   * @throws ApiException 400/422 for a bad request (under its stage's field), 409 when a stage's
   *     subject is busy, 503 when Temporal cannot be reached
   */
  public Started start(ReleaseBody body, String idempotencyKey, String actor) {
    if (idempotencyKey != null && Ids.badIdempotencyKey(idempotencyKey)) {
      throw ApiException.badRequest("Idempotency-Key", Ids.IDEMPOTENCY_KEY_RULE);
    }
    String releaseId =
        idempotencyKey == null ? Ids.random("rel-") : idFromKey(actor, idempotencyKey);
    String fingerprint = fingerprint(body);
    if (idempotencyKey != null) {
      Optional<Started> replay = replay(releaseId, fingerprint);
      if (replay.isPresent()) {
        return replay.get();
      }
    }
    requireAStage(body);
    Checked checked = check(body, actor);
    reserveService(checked, releaseId, idempotencyKey, fingerprint);
    Release release =
        new Release(
            releaseId,
            checked.migration(),
            checked.deployment() == null ? null : checked.deployment().request(),
            checked.rollback(),
            checked.rollout(),
            checked.gateAfter(),
            actor);
    if (!startWorkflow(release, checked.deployment(), fingerprint, actor)) {
      // The same key got here first (its reservation is the one this request found): the
      // release runs, which is what was asked.
      return new Started(current(releaseId).orElseGet(() -> unanswered(releaseId)), true);
    }
    auditStart(body, checked, releaseId, actor);
    // Not a query: that needs a worker to answer, and the release has just been handed to one.
    Stage first =
        checked.migration() != null
            ? Stage.MIGRATION
            : checked.deployment() != null ? Stage.DEPLOYMENT : Stage.FLAG_ROLLOUT;
    return new Started(
        view(
            releaseId,
            new Status(first, null, List.of("starting"), ReleaseWorkflow.Children.of(release))),
        false);
  }

  // --- the steps of a start -----------------------------------------------------------------

  /** The release an earlier request with the same key started, if any; 422 if it asked else. */
  private Optional<Started> replay(String releaseId, String fingerprint) {
    Optional<String> first = startedWith(releaseId);
    if (first.isPresent()) {
      if (!first.get().equals(fingerprint)) {
        throw ApiException.invalid(
            "Idempotency-Key",
            "was already used for release " + releaseId + " with a different request");
      }
      return Optional.of(
          new Started(current(releaseId).orElseGet(() -> unanswered(releaseId)), true));
    }
    return Optional.empty();
  }

  /** A body with at least one stage and a reason of at most 1000 characters, or a 400. */
  private static void requireAStage(ReleaseBody body) {
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
  }

  /** Checks everything before anything starts: each stage, the gate, and that none is busy. */
  private Checked check(ReleaseBody body, String actor) {
    MigrationSpec migration = migration(body);
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
    FlagRollout rollout = flagRollout(body, actor);
    Duration gateAfter = gateAfter(body.gate());
    refuseBusy(migration, rollout);
    return new Checked(migration, deployment, rollback, rollout, gateAfter);
  }

  private MigrationSpec migration(ReleaseBody body) {
    if (body.migration() == null) {
      return null;
    }
    if (body.migration().gate() != null) {
      throw ApiException.badRequest(
          "migration.gate",
          "a release opens its migration's gate itself, after the release's gate: set gate on"
              + " the release");
    }
    try {
      return MigrationSpecs.parse(body.migration(), datasources);
    } catch (ApiException e) {
      throw e.nested("migration");
    }
  }

  private FlagRollout flagRollout(ReleaseBody body, String actor) {
    if (body.flagRollout() == null) {
      return null;
    }
    FlagRolloutBody f = body.flagRollout();
    if (f.flag() == null || f.flag().isBlank()) {
      throw ApiException.badRequest("flagRollout.flag", "is required: the flag's key");
    }
    try {
      return rollouts.plan(
          f.flag(),
          new FlagRollouts.RolloutPlan(f.variant(), f.stages(), f.gate(), f.killOnFailure(), null),
          actor);
    } catch (ApiException e) {
      if (e.status() == 404) {
        throw ApiException.invalid("flagRollout.flag", "no flag \"" + f.flag() + "\"");
      }
      throw e.nested("flagRollout");
    }
  }

  /** 409 when a migration runs on the release's database or a rollout of its flag runs. */
  private void refuseBusy(MigrationSpec migration, FlagRollout rollout) {
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
  }

  /** Takes the service for the release, when it has a deployment. */
  private void reserveService(
      Checked checked, String releaseId, String idempotencyKey, String fingerprint) {
    if (checked.deployment() != null) {
      // Keyed by the release: a retry after this API died between here and the start finds its
      // own reservation and goes on to start the release.
      deployments.reserve(
          checked.deployment(),
          releaseId,
          idempotencyKey == null ? null : "release:" + releaseId,
          fingerprint);
    }
  }

  /**
   * Starts the release's workflow. Returns false when a request with the same key started it first;
   * frees the reserved service when Temporal took nothing.
   */
  private boolean startWorkflow(
      Release release, Deployments.Prepared deployment, String fingerprint, String actor) {
    String releaseId = release.releaseId();
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
      return false;
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
    return true;
  }

  private void auditStart(ReleaseBody body, Checked checked, String releaseId, String actor) {
    Map<String, Object> details = new LinkedHashMap<>();
    if (checked.migration() != null) {
      details.put(
          "migration", checked.migration().name() + " on " + checked.migration().datasource());
    }
    if (checked.deployment() != null) {
      DeploymentRequest deployment = checked.deployment().request();
      details.put(
          "deployment",
          deployment.deploymentId()
              + " "
              + deployment.service().name()
              + " "
              + deployment.version());
    }
    if (checked.rollout() != null) {
      details.put("flagRollout", checked.rollout().flagKey() + " " + checked.rollout().variant());
    }
    details.put("gateAfter", checked.gateAfter() == null ? null : checked.gateAfter().toString());
    if (body.reason() != null) {
      details.put("reason", body.reason());
    }
    ledger.audit(actor, START_ACTION, releaseId, details);
  }

  // --- list ---------------------------------------------------------------------------------

  /** What a release's start is audited as: the list of releases reads it. */
  static final String START_ACTION = "release.start";

  /** The newest {@code limit} releases, newest first, as summaries ({@link ReleaseLists}). */
  public List<ReleaseSummary> list(int limit) {
    return lists.newest(limit);
  }

  // --- view and controls ----------------------------------------------------------------------

  /** The release now, as a worker answers for it: 404 for an unknown id, 503 without a worker. */
  public ReleaseView view(String id) {
    return Queries.orUnavailable(() -> query(id), "release " + id);
  }

  /**
   * {@code promote} opens the release's gate (sent before the gate, it is remembered); {@code
   * abort} undoes the stages that ran, newest first — refused (409) once contract has begun.
   * Returns the body of the 202: the release now, or the pending answer when no worker said where
   * it stands.
   */
  public Object control(String id, String action, ReasonBody body, String actor) {
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
      return Queries.pending(id, action);
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
    return current(id).orElse(now);
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

  static Duration gateAfter(ReleaseGateBody gate) {
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

  static String summary(Release release) {
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

  /** What is known of a release no worker answered for: that it exists, and where it lives. */
  static ReleaseView unanswered(String id) {
    return new ReleaseView(
        id,
        "UNKNOWN",
        "no worker answered for its state within " + Queries.TIMEOUT.toSeconds() + " s",
        List.of(),
        null,
        Map.of("self", "/api/v1/releases/" + id));
  }

  /** The release now; empty when no worker answers in time. */
  private Optional<ReleaseView> current(String id) {
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

  static ReleaseView view(String id, Status status) {
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
