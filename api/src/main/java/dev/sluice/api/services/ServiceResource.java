package dev.sluice.api.services;

import dev.sluice.api.auth.ActorFilter;
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
 * {@code /api/v1/services/{name}}: one service's definition, its version history, its circuit
 * breaker and the files its router can start with. Its rollback is the deployments' business
 * ({@code ServiceRollbackResource}).
 */
@Path("/api/v1/services/{name}")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceResource {

  private final Services services;

  public ServiceResource(Services services) {
    this.services = services;
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
   * A file to start the service's router with ({@link Services#routerFile}): {@code haproxy.cfg}
   * for HAProxy, which {@code sluice haproxy-config} prints. 404 for an unknown service or a file
   * no router renders, 422 when the service's router does not render this one.
   */
  @GET
  @Path("{file: [A-Za-z0-9_-]+\\.[A-Za-z0-9]+}")
  @Produces(MediaType.TEXT_PLAIN + "; charset=utf-8")
  public String routerFile(@PathParam("name") String name, @PathParam("file") String file) {
    return services.routerFile(name, file);
  }

  /**
   * The targets a deployment starting now would get: what the service's {@code fleetSource}
   * resolves to (the source is asked; 422 or 503 when it cannot answer), or its listed fleet.
   */
  @GET
  @Path("fleet")
  public FleetView fleet(@PathParam("name") String name) {
    return services.fleet(name);
  }

  /** The service's circuit breaker: closed, or open until when and why. */
  @GET
  @Path("circuit")
  public CircuitView circuit(@PathParam("name") String name) {
    return services.circuit(name);
  }

  /** Closes the circuit breaker early: admins only ({@code Permissions}), audited. */
  @POST
  @Path("circuit/reset")
  public CircuitView resetCircuit(
      @PathParam("name") String name, @Context ContainerRequestContext request) {
    services.find(name);
    return services.resetCircuit(name, ActorFilter.actor(request));
  }
}
