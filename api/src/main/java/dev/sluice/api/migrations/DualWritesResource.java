package dev.sluice.api.migrations;

import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.common.Params;
import dev.sluice.api.common.ReasonBody;
import dev.sluice.workflows.migrations.DualWriteMigrationWorkflow.Status;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /api/v1/dual-writes}: moves between two stores through the dual-write phases, run by
 * {@link DualWrites}; the phase flag must exist, with the phases as variants.
 */
@Path("/api/v1/dual-writes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DualWritesResource {

  private final DualWrites dualWrites;

  public DualWritesResource(DualWrites dualWrites) {
    this.dualWrites = dualWrites;
  }

  /** Starts a dual-write migration: 202 with where it stands, its address in {@code Location}. */
  @POST
  public Response start(DualWriteBody body, @Context ContainerRequestContext request) {
    Status started = dualWrites.start(body, ActorFilter.actor(request));
    return Response.accepted(started)
        .header("Location", "/api/v1/dual-writes/" + body.name())
        .build();
  }

  /**
   * The dual-write migrations started, newest start first, at most {@code limit} (default 20, at
   * most 100), each with where it stands.
   */
  @GET
  public DualWriteList list(@QueryParam("limit") String limit) {
    return new DualWriteList(dualWrites.list(Params.integer("limit", limit, 20, 1, 100)));
  }

  @GET
  @Path("/{name}")
  public Status status(@PathParam("name") String name) {
    return dualWrites.status(name);
  }

  /** promote (move on after a clean window), resume (after a pause), abort (back to old-only). */
  @POST
  @Path("/{name}/{action}")
  public Response control(
      @PathParam("name") String name,
      @PathParam("action") String action,
      ReasonBody body,
      @Context ContainerRequestContext request) {
    return Response.accepted(dualWrites.control(name, action, body, ActorFilter.actor(request)))
        .build();
  }
}
