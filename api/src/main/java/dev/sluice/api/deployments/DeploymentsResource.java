package dev.sluice.api.deployments;

import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.common.Params;
import dev.sluice.api.errors.ApiException;
import dev.sluice.model.DeploymentState;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;

/** {@code /api/v1/deployments}: start one, list them. */
@Path("/api/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentsResource {

  private final Deployments deployments;

  public DeploymentsResource(Deployments deployments) {
    this.deployments = deployments;
  }

  /**
   * Starts a deployment: 202 with its id and links. With an {@code Idempotency-Key} a repeated
   * request answers with the deployment the first one created (header {@code Idempotent-Replayed:
   * true}).
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(
      DeploymentCreate body,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      @Context ContainerRequestContext request) {
    Deployments.Started started =
        deployments.start(body, idempotencyKey, ActorFilter.actor(request));
    DeploymentView view = deployments.view(started.deployment().id());
    return Response.accepted(view)
        .location(URI.create(view.links().get("self")))
        .header("Idempotent-Replayed", Boolean.toString(started.replay()))
        .build();
  }

  @GET
  public DeploymentList list(
      @QueryParam("service") String service,
      @QueryParam("state") String state,
      @QueryParam("limit") String limitParam) {
    DeploymentState wanted = null;
    if (state != null) {
      try {
        wanted = DeploymentState.valueOf(state.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(
            "state",
            "unknown state \""
                + state
                + "\"; states: "
                + Arrays.toString(DeploymentState.values()));
      }
    }
    int limit = Params.integer("limit", limitParam, 50, 1, 500);
    return new DeploymentList(deployments.list(service, wanted, limit));
  }
}
