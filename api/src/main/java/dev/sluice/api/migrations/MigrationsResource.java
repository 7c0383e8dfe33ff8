package dev.sluice.api.migrations;

import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.common.ReasonBody;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Status;
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

/**
 * {@code /api/v1/migrations}: expand-contract schema migrations, one at a time per datasource
 * (addressed by the datasource's name), run by {@link Migrations}. Every start and control is
 * audited.
 */
@Path("/api/v1/migrations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class MigrationsResource {

  private final Migrations migrations;

  public MigrationsResource(Migrations migrations) {
    this.migrations = migrations;
  }

  /** Starts a migration: 202 with where it stands, and its address in {@code Location}. */
  @POST
  public Response start(MigrationBody body, @Context ContainerRequestContext request) {
    Status started = migrations.start(body, ActorFilter.actor(request));
    return Response.accepted(started)
        .header("Location", "/api/v1/migrations/" + started.datasource())
        .build();
  }

  /**
   * Every configured datasource with its migration ({@code none} where none ran, {@code unanswered}
   * when no worker answers).
   */
  @GET
  public MigrationList list() {
    return new MigrationList(migrations.list());
  }

  /** The migration on {@code datasource} now (or the last one that ran there). */
  @GET
  @Path("/{datasource}")
  public Status status(@PathParam("datasource") String datasource) {
    return migrations.status(datasource);
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
    return Response.accepted(
            migrations.control(datasource, action, body, ActorFilter.actor(request)))
        .build();
  }
}
