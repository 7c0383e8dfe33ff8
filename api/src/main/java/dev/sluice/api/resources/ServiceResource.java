package dev.sluice.api.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.traffic.haproxy.HaproxyConfig;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter;
import dev.sluice.api.api.CircuitView;
import dev.sluice.api.api.ControlBody;
import dev.sluice.api.api.ServiceHistory;
import dev.sluice.api.api.ServiceSpec;
import dev.sluice.api.api.ServiceView;
import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.core.Deployments;
import dev.sluice.api.core.ServiceMapper;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.errors.JsonExceptionMapper;
import dev.sluice.ledger.CircuitState;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.VersionHistoryEntry;
import dev.sluice.model.ServiceDefinition;
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
import java.util.Map;

/**
 * {@code /api/v1/services/{name}}: one service's definition, its version history, and a starting
 * HAProxy config for it.
 */
@Path("/api/v1/services/{name}")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceResource {

  private final Ledger ledger;
  private final ServiceMapper mapper;
  private final Deployments deployments;
  private final ObjectMapper json;

  public ServiceResource(
      Ledger ledger, ServiceMapper mapper, Deployments deployments, ObjectMapper json) {
    this.ledger = ledger;
    this.mapper = mapper;
    this.deployments = deployments;
    this.json = json;
  }

  /** Creates or replaces the service (201 when new, 200 when replaced). Audited. */
  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public Response put(
      @PathParam("name") String name, ServiceSpec spec, @Context ContainerRequestContext request) {
    ServiceDefinition service = mapper.toModel(name, spec);
    boolean created = ledger.putService(service, ActorFilter.actor(request));
    return Response.status(created ? 201 : 200).entity(view(service, mapper)).build();
  }

  @GET
  public ServiceView get(@PathParam("name") String name) {
    return view(find(name), mapper);
  }

  /** The versions that ran, oldest first; {@code previous} answers "which version ran before?". */
  @GET
  @Path("history")
  public ServiceHistory history(@PathParam("name") String name) {
    find(name);
    return new ServiceHistory(
        name,
        ledger.currentVersion(name).orElse(null),
        ledger.previousVersion(name).orElse(null),
        ledger.targetVersions(name),
        ledger.history(name).stream().map(ServiceResource::entry).toList());
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
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw JsonExceptionMapper.translate(e);
      }
    }
    return Response.accepted(deployments.rollback(name, reason, ActorFilter.actor(request)))
        .build();
  }

  /**
   * A starting HAProxy config for the service, rendered from its fleet, router settings and health
   * check path ({@link HaproxyConfig#forService}); {@code sluice haproxy-config} prints it.
   *
   * @throws ApiException 404 for an unknown service; 422 naming {@code trafficRouter.type} when the
   *     service's router is not HAProxy, or {@code trafficRouter.settings} when its settings cannot
   *     make one
   */
  @GET
  @Path("haproxy.cfg")
  @Produces(MediaType.TEXT_PLAIN + "; charset=utf-8")
  public String haproxyConfig(@PathParam("name") String name) {
    ServiceDefinition service = find(name);
    String type = service.trafficRouter() == null ? null : service.trafficRouter().type();
    if (!HaproxyRouter.TYPE.equals(type)) {
      throw ApiException.invalid(
          "trafficRouter.type",
          "is \""
              + type
              + "\"; an HAProxy config is rendered for trafficRouter type \""
              + HaproxyRouter.TYPE
              + "\" only");
    }
    String path = service.healthCheck().path();
    try {
      return HaproxyConfig.forService(
              name, service.fleet(), service.trafficRouter(), path == null ? "/health" : path)
          .build()
          .render();
    } catch (ConfigurationException | IllegalArgumentException e) {
      throw ApiException.invalid("trafficRouter.settings", e.getMessage());
    }
  }

  /** The service's circuit breaker: closed, or open until when and why. */
  @GET
  @Path("circuit")
  public CircuitView circuit(@PathParam("name") String name) {
    find(name);
    return view(ledger.circuit(name));
  }

  /** Closes the circuit breaker early: admins only, audited. */
  @POST
  @Path("circuit/reset")
  public CircuitView resetCircuit(
      @PathParam("name") String name, @Context ContainerRequestContext request) {
    find(name);
    ActorFilter.requireAdmin(request, "resetting a circuit breaker");
    ledger.resetCircuit(name, ActorFilter.actor(request));
    return view(ledger.circuit(name));
  }

  private static CircuitView view(CircuitState c) {
    return new CircuitView(
        c.service(), c.open(), c.consecutiveFailures(), c.threshold(), c.blockedUntil());
  }

  private ServiceDefinition find(String name) {
    return ledger.service(name).orElseThrow(() -> ApiException.notFound("no service " + name));
  }

  private static ServiceHistory.Entry entry(VersionHistoryEntry e) {
    return new ServiceHistory.Entry(
        e.version(),
        e.previousVersion(),
        e.outcome() == null ? null : e.outcome().name(),
        e.currentVersion(),
        e.deploymentId(),
        e.startedAt(),
        e.finishedAt());
  }

  static ServiceView view(ServiceDefinition service, ServiceMapper mapper) {
    String self = "/api/v1/services/" + service.name();
    return new ServiceView(
        service.name(),
        mapper.toSpec(service),
        Map.of(
            "self", self,
            "history", self + "/history",
            "deployments", "/api/v1/deployments?service=" + service.name()));
  }
}
