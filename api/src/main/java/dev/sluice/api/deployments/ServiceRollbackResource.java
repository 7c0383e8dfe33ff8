package dev.sluice.api.deployments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.errors.JsonExceptionMapper;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/v1/services/{name}/rollback}: rolls the service back to the version that ran
 * before ({@link Deployments#rollback}). Under the service's path, but a deployment's business.
 */
@Path("/api/v1/services/{name}/rollback")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceRollbackResource {

  private final Deployments deployments;
  private final ObjectMapper json;

  public ServiceRollbackResource(Deployments deployments, ObjectMapper json) {
    this.deployments = deployments;
    this.json = json;
  }

  /**
   * An instant switch back for a blue-green deployment in its rollback window, otherwise a new
   * deployment of the previous version — with {@code "fast": true}, one that skips every wait. The
   * body, optional, is a {@link RollbackBody}.
   */
  @POST
  public Response rollback(
      @PathParam("name") String name, String body, @Context ContainerRequestContext request) {
    RollbackBody parsed = null;
    if (body != null && !body.isBlank()) {
      try {
        parsed = json.readValue(body, RollbackBody.class);
      } catch (JsonProcessingException e) {
        throw JsonExceptionMapper.translate(e);
      }
    }
    String reason = parsed == null ? null : parsed.reason();
    boolean fast = parsed != null && parsed.isFast();
    return Response.accepted(deployments.rollback(name, reason, fast, ActorFilter.actor(request)))
        .build();
  }
}
