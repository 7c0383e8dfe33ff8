package dev.sluice.api.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.common.Params;
import dev.sluice.api.common.ReasonBody;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.metrics.FlagEvaluationMetrics;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.ledger.FlagStore.Flag;
import dev.sluice.ledger.FlagStore.Meta;
import dev.sluice.workflows.flags.FlagRolloutWorkflow;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/**
 * {@code /api/v1/flags}: feature flags in flagd's format. Every change is a new version (who, when,
 * why), audited; {@code If-Match: "<version>"} makes a change conditional. The snapshot is the
 * whole set as one flagd document with the set's revision as ETag: {@code If-None-Match} answers
 * 304, and {@code ?waitForChange=true} holds the request (long-poll, up to {@code timeout}, default
 * 30 s) until the revision moves past the one given.
 */
@Path("/api/v1/flags")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FlagsResource {

  static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private final FlagService flags;
  private final FlagRollouts rollouts;
  private final SnapshotWatcher watcher;
  private final FlagEvaluationMetrics evaluations;

  public FlagsResource(
      FlagService flags,
      FlagRollouts rollouts,
      SnapshotWatcher watcher,
      FlagEvaluationMetrics evaluations) {
    this.flags = flags;
    this.rollouts = rollouts;
    this.watcher = watcher;
    this.evaluations = evaluations;
  }

  /** Starts a durable rollout (one per flag at a time): 202 with its status. */
  @POST
  @Path("/{key}/rollouts")
  public Response startRollout(
      @PathParam("key") String key,
      FlagRollouts.RolloutPlan plan,
      @Context ContainerRequestContext request) {
    return Response.accepted(rollouts.start(key, plan, ActorFilter.actor(request))).build();
  }

  @GET
  @Path("/{key}/rollouts/current")
  public FlagRolloutWorkflow.Status rollout(@PathParam("key") String key) {
    return rollouts.status(key);
  }

  /** promote (end the bake), pause, resume, abort (take the flag back). */
  @POST
  @Path("/{key}/rollouts/current/{action}")
  public Object controlRollout(
      @PathParam("key") String key,
      @PathParam("action") String action,
      ReasonBody body,
      @Context ContainerRequestContext request) {
    return rollouts.control(
        key, action, body == null ? null : body.reason(), ActorFilter.actor(request));
  }

  private final ObjectMapper json = new ObjectMapper();

  @GET
  public FlagList list() {
    return new FlagList(flags.list().stream().map(this::view).toList());
  }

  @POST
  public Response create(FlagBody body, @Context ContainerRequestContext request) {
    if (body == null) {
      throw ApiException.badRequest("body", "a flag is required: {key, type, definition}");
    }
    Flag flag =
        flags.create(
            body.key(),
            body.definition(),
            new Meta(body.type(), body.owner(), body.lifetimeDays()),
            ActorFilter.actor(request),
            body.reason());
    return Response.status(201).tag(tag(flag)).entity(view(flag)).build();
  }

  @GET
  @Path("/snapshot")
  public void snapshot(
      @HeaderParam("If-None-Match") String ifNoneMatch,
      @QueryParam("waitForChange") String waitParam,
      @QueryParam("timeout") String timeoutParam,
      @Suspended AsyncResponse response) {
    boolean wait = "true".equals(waitParam);
    Duration timeout =
        Duration.ofSeconds(
            Params.integer("timeout", timeoutParam, 30, 1, (int) MAX_WAIT.toSeconds()));
    Long known = revisionOf(ifNoneMatch);
    if (wait && known != null && flags.revision() == known) {
      watcher.await(known, timeout, response); // answered by the watcher, no thread held
      return;
    }
    response.resume(SnapshotWatcher.answer(flags.snapshot(), known));
  }

  /** Flags due for removal: one variant for everyone for 14 days, or past their lifetime. */
  @GET
  @Path("/stale")
  public StaleList stale() {
    return new StaleList(flags.stale());
  }

  @GET
  @Path("/{key}")
  public Response get(@PathParam("key") String key) {
    Flag flag = flags.get(key);
    return Response.ok(view(flag)).tag(tag(flag)).build();
  }

  @PUT
  @Path("/{key}")
  public Response update(
      @PathParam("key") String key,
      @HeaderParam("If-Match") String ifMatch,
      FlagBody body,
      @Context ContainerRequestContext request) {
    if (body == null) {
      throw ApiException.badRequest("body", "a flag is required: {definition, reason}");
    }
    if (body.key() != null && !body.key().equals(key)) {
      throw ApiException.badRequest("key", "differs from the URL's flag key " + key);
    }
    Meta meta = null;
    if (body.type() != null || body.owner() != null || body.lifetimeDays() != null) {
      // What the body leaves out stays as it is.
      Flag current = flags.get(key);
      meta =
          new Meta(
              body.type() != null ? body.type() : current.type(),
              body.owner() != null ? body.owner() : current.owner(),
              body.lifetimeDays() != null
                  ? body.lifetimeDays()
                  : body.type() == null ? current.lifetimeDays() : null);
    }
    Flag flag =
        flags.update(
            key,
            version(ifMatch),
            body.definition(),
            meta,
            "update",
            ActorFilter.actor(request),
            body.reason());
    return Response.ok(view(flag)).tag(tag(flag)).build();
  }

  @DELETE
  @Path("/{key}")
  public FlagView delete(
      @PathParam("key") String key,
      @HeaderParam("If-Match") String ifMatch,
      @QueryParam("reason") String reason,
      @Context ContainerRequestContext request) {
    return view(flags.delete(key, version(ifMatch), ActorFilter.actor(request), reason));
  }

  /** The kill switch: the flag answers its code default everywhere. */
  @POST
  @Path("/{key}/disable")
  public FlagView disable(
      @PathParam("key") String key, ReasonBody body, @Context ContainerRequestContext request) {
    return view(
        flags.setEnabled(
            key, false, ActorFilter.actor(request), body == null ? null : body.reason()));
  }

  @POST
  @Path("/{key}/enable")
  public FlagView enable(
      @PathParam("key") String key, ReasonBody body, @Context ContainerRequestContext request) {
    return view(
        flags.setEnabled(
            key, true, ActorFilter.actor(request), body == null ? null : body.reason()));
  }

  /** Body of a rollout: {@code percentage}% of the split to {@code variant}. */
  public record RolloutBody(String variant, Integer percentage, String reason) {}

  /** Body of a new targeting rule: a JsonLogic {@code condition} and the {@code variant}. */
  public record RuleBody(JsonNode condition, String variant, String reason) {}

  @POST
  @Path("/{key}/rollout")
  public FlagView rollout(
      @PathParam("key") String key, RolloutBody body, @Context ContainerRequestContext request) {
    if (body == null || body.variant() == null) {
      throw ApiException.badRequest("variant", "the variant to roll out is required");
    }
    return view(
        flags.rollout(
            key, body.variant(), body.percentage(), ActorFilter.actor(request), body.reason()));
  }

  @POST
  @Path("/{key}/rules")
  public FlagView addRule(
      @PathParam("key") String key, RuleBody body, @Context ContainerRequestContext request) {
    if (body == null || body.variant() == null) {
      throw ApiException.badRequest("variant", "the variant the rule selects is required");
    }
    return view(
        flags.addRule(
            key, body.condition(), body.variant(), ActorFilter.actor(request), body.reason()));
  }

  @DELETE
  @Path("/{key}/rules/{index}")
  public FlagView removeRule(
      @PathParam("key") String key,
      @PathParam("index") String indexParam,
      @QueryParam("reason") String reason,
      @Context ContainerRequestContext request) {
    int index = Params.integer("index", indexParam, 0, 0, 10_000);
    return view(flags.removeRule(key, index, ActorFilter.actor(request), reason));
  }

  @GET
  @Path("/{key}/versions")
  public VersionList versions(@PathParam("key") String key) {
    return new VersionList(
        key,
        flags.versions(key).stream()
            .map(
                v ->
                    new VersionView(
                        v.version(),
                        v.action(),
                        v.definition() == null ? null : tree(v.definition()),
                        v.type(),
                        v.owner(),
                        v.lifetimeDays(),
                        v.actor(),
                        v.reason(),
                        v.at()))
            .toList());
  }

  @POST
  @Path("/{key}/versions/{version}/restore")
  public FlagView restore(
      @PathParam("key") String key,
      @PathParam("version") String versionParam,
      ReasonBody body,
      @Context ContainerRequestContext request) {
    int version = Params.integer("version", versionParam, 1, 1, Integer.MAX_VALUE);
    return view(
        flags.restore(
            key, version, ActorFilter.actor(request), body == null ? null : body.reason()));
  }

  @POST
  @Path("/{key}/evaluate")
  public EvaluationView evaluate(@PathParam("key") String key, EvaluateBody body) {
    EvaluationResult<Object> r = flags.evaluate(key, body == null ? null : body.context());
    evaluations.served(key, r);
    return new EvaluationView(
        key,
        r.value(),
        r.variant(),
        r.reason().name(),
        r.errorCode() == null ? null : r.errorCode().name(),
        r.errorMessage());
  }

  // --- wire -------------------------------------------------------------------------------------

  private FlagView view(Flag f) {
    return new FlagView(
        f.key(),
        f.version(),
        f.type(),
        f.owner(),
        f.lifetimeDays(),
        tree(f.definition()),
        f.createdAt(),
        f.createdBy(),
        f.updatedAt(),
        f.updatedBy());
  }

  private JsonNode tree(String text) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static EntityTag tag(Flag flag) {
    return new EntityTag(Integer.toString(flag.version()));
  }

  /** The version an {@code If-Match} names, or null without one. */
  private static Integer version(String ifMatch) {
    if (ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*")) {
      return null;
    }
    String v = ifMatch.strip().replace("W/", "").replace("\"", "");
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("If-Match", "must be a flag version such as \"3\"");
    }
  }

  /** The revision an {@code If-None-Match} names, or null without one. */
  private static Long revisionOf(String ifNoneMatch) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
      return null;
    }
    String v = ifNoneMatch.strip().replace("W/", "").replace("\"", "");
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("If-None-Match", "must be a snapshot ETag such as \"12\"");
    }
  }
}
