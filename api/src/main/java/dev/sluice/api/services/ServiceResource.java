package dev.sluice.api.services;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.deployments.ControlBody;
import dev.sluice.api.deployments.Deployments;
import dev.sluice.api.errors.JsonExceptionMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /api/v1/services/{name}}: one service's definition, its version history, and a starting
 * HAProxy config for it.
 */
@Path("/api/v1/services/{name}")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceResource {

  private final Services services;
  private final Deployments deployments;
  private final ObjectMapper json;

  public ServiceResource(Services services, Deployments deployments, ObjectMapper json) {
    this.services = services;
    this.deployments = deployments;
    this.json = json;
  }

  /** Creates or replaces the service (201 when new, 200 when replaced). Audited. */
  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public Response put(
      @PathParam("name") String name, ServiceSpec spec, @Context ContainerRequestContext request) {
    Services.Stored stored = services.put(name, spec, ActorFilter.actor(request));
    return Response.status(stored.created() ? 201 : 200).entity(stored.view()).build();
  }

  @GET
  public ServiceView get(@PathParam("name") String name) {
    return services.get(name);
  }

  /** The versions that ran, oldest first; {@code previous} answers "which version ran before?". */
  @GET
  @Path("history")
  public ServiceHistory history(@PathParam("name") String name) {
    return services.history(name);
  }

  /**
   * Rolls the service back to the version that ran before: an instant switch back for a blue-green
   * deployment in its rollback window, otherwise a new deployment of that version.
   */
  @POST
  @Path("rollback")
  public Response rollback(
      @PathParam("name") String name, String body, @Context ContainerRequestContext request) {
    String reason = null;
    if (body != null && !body.isBlank()) {
      try {
        ControlBody parsed = json.readValue(body, ControlBody.class);
        reason = parsed == null ? null : parsed.reason();
      } catch (JsonProcessingException e) {
        throw JsonExceptionMapper.translate(e);
      }
    }
    return Response.accepted(deployments.rollback(name, reason, ActorFilter.actor(request)))
        .build();
  }

  /**
   * A starting HAProxy config for the service ({@link Services#haproxyConfig}); {@code sluice
   * haproxy-config} prints it. 404 for an unknown service, 422 when it cannot have one.
   */
  @GET
  @Path("haproxy.cfg")
  @Produces(MediaType.TEXT_PLAIN + "; charset=utf-8")
  public String haproxyConfig(@PathParam("name") String name) {
    return services.haproxyConfig(name);
  }

  /** The service's circuit breaker: closed, or open until when and why. */
  @GET
  @Path("circuit")
  public CircuitView circuit(@PathParam("name") String name) {
    return services.circuit(name);
  }

  /** Closes the circuit breaker early: admins only, audited. */
  @POST
  @Path("circuit/reset")
  public CircuitView resetCircuit(
      @PathParam("name") String name, @Context ContainerRequestContext request) {
    services.find(name);
    ActorFilter.requireAdmin(request, "resetting a circuit breaker");
    return services.resetCircuit(name, ActorFilter.actor(request));
  }
}
