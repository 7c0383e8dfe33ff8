package dev.sluice.api.releases;

import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.common.Params;
import dev.sluice.api.common.ReasonBody;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * {@code /api/v1/releases}: one call runs a whole release — migration expand and backfill →
 * deployment → flag rollout → gate → contract ({@link Releases}). Every start and control is
 * audited.
 */
@Path("/api/v1/releases")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ReleasesResource {

  private final Releases releases;

  public ReleasesResource(Releases releases) {
    this.releases = releases;
  }

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
    Releases.Started started = releases.start(body, idempotencyKey, ActorFilter.actor(request));
    return Response.accepted(started.view())
        .location(URI.create(started.view().links().get("self")))
        .header("Idempotent-Replayed", Boolean.toString(started.replay()))
        .build();
  }

  /**
   * The newest releases first, at most {@code limit} (default 20, at most 100), each as a summary:
   * what it started with and how its workflow stands (its own view for the stage and events).
   */
  @GET
  public ReleaseList list(@QueryParam("limit") String limit) {
    return new ReleaseList(releases.list(Params.integer("limit", limit, 20, 1, 100)));
  }

  @GET
  @Path("/{id}")
  public ReleaseView get(@PathParam("id") String id) {
    return releases.view(id);
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
    return Response.accepted(releases.control(id, action, body, ActorFilter.actor(request)))
        .build();
  }
}
