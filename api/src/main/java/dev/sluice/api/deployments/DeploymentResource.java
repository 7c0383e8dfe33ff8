package dev.sluice.api.deployments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.auth.ActorFilter;
import dev.sluice.api.errors.JsonExceptionMapper;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /api/v1/deployments/{id}}: live status, and the controls. */
@Path("/api/v1/deployments/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentResource {

  private final Deployments deployments;
  private final ObjectMapper json;

  public DeploymentResource(Deployments deployments, ObjectMapper json) {
    this.deployments = deployments;
    this.json = json;
  }

  /** The body is optional ({@code curl -X POST …/pause} works), so it is read by hand. */
  private ControlBody parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return json.readValue(body, ControlBody.class);
    } catch (JsonProcessingException e) {
      throw JsonExceptionMapper.translate(e);
    }
  }

  /** Phase, batch, every target's version and state, and all events. */
  @GET
  public DeploymentView get(@PathParam("id") String id) {
    return deployments.view(id);
  }

  /**
   * Per analysis run and metric: what the canary and its baseline measured each interval, the
   * judge's p-value and threshold, and its verdict.
   */
  @GET
  @Path("analysis")
  public AnalysisView analysis(@PathParam("id") String id) {
    return deployments.analysis(id);
  }

  /** What became of a control answered {@code pending}: accepted, rejected or still pending. */
  @GET
  @Path("controls/{controlId}")
  public ControlView control(@PathParam("id") String id, @PathParam("controlId") String controlId) {
    return deployments.controlOutcome(id, controlId);
  }

  /**
   * {@code pause}, {@code resume} or {@code abort}: 202 when the workflow accepted it, 409 with the
   * reason when it refused ("resume: deployment is not paused"), 404 for an unknown id; 202 with
   * outcome {@code pending} and the control's id when no worker took it within 10 s.
   */
  @POST
  @Path("{action}")
  public Response control(
      @PathParam("id") String id,
      @PathParam("action") String action,
      String body,
      @Context ContainerRequestContext request) {
    ControlView view = deployments.control(id, action, parse(body), ActorFilter.actor(request));
    return Response.accepted(view).build();
  }
}
