package dev.sluice.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.codec.CodecSession;
import dev.sluice.api.common.ErrorBody;
import dev.sluice.api.common.Routes;
import dev.sluice.ledger.AuditOrigin;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.ledger.Ledger;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.regex.Pattern;
import org.glassfish.jersey.server.ExtendedUriInfo;

/**
 * Works out who is calling and whether they may: with tokens (in the configuration file, or made
 * over {@code /api/v1/tokens}) every API call needs {@code Authorization: Bearer <token>}, its role
 * must include what the route needs ({@link Permissions}), and a token limited to services may
 * change only those services' deployments; without any token the API is open (local use), the actor
 * is the {@code X-Sluice-Actor} header or {@code anonymous}, and everyone is an admin. Binds the
 * caller's role and address to the request's audit rows ({@link AuditOrigin}).
 */
@Priority(Priorities.AUTHENTICATION)
public class ActorFilter implements ContainerRequestFilter, ContainerResponseFilter {

  public static final String ACTOR = "sluice.actor";
  public static final String CALLER = "sluice.caller";
  public static final String ACTOR_HEADER = "X-Sluice-Actor";

  /** What a claimed actor may look like: it is stored in the ledger and shown in audits. */
  private static final Pattern ACTOR_NAME = Pattern.compile("[\\p{Graph} ]{1,100}");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TokenLookup tokens;

  /** Where deployments are found, for a token limited to services. */
  private final Ledger ledger;

  @Context private HttpServletRequest servlet;

  public ActorFilter(TokenLookup tokens, Ledger ledger) {
    this.tokens = tokens;
    this.ledger = ledger;
  }

  @Override
  public void filter(ContainerRequestContext request) throws IOException {
    if (!tokens.any()) {
      open(request);
      return;
    }
    if (request.getUriInfo().getMatchedResources().stream()
        .anyMatch(PublicResource.class::isInstance)) {
      request.setProperty(ACTOR, "anonymous");
      return;
    }
    String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (authorization == null) {
      // The Temporal UI's calls to the codec carry the session cookie instead.
      authorization = CodecSession.authorization(request);
    }
    Caller caller = tokens.bearer(authorization);
    if (caller == null) {
      request.abortWith(
          error(401, "unauthorized", "a valid API token is required: Authorization: Bearer <token>")
              .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sluice\"")
              .build());
      return;
    }
    String route = Routes.template((ExtendedUriInfo) request.getUriInfo(), request.getMethod());
    MultivaluedMap<String, String> params = request.getUriInfo().getPathParameters();
    Role needed = Permissions.required(route, params.getFirst("action"));
    if (!caller.role().includes(needed)) {
      request.abortWith(
          error(
                  403,
                  "forbidden",
                  route
                      + " needs role "
                      + needed.wire()
                      + "; token "
                      + caller.name()
                      + " has "
                      + caller.role().wire())
              .build());
      return;
    }
    if (caller.limited() && !route.startsWith("GET ") && needed != Role.VIEWER) {
      String refusal = outsideItsServices(caller, route, request);
      if (refusal != null) {
        request.abortWith(error(403, "forbidden", refusal).build());
        return;
      }
    }
    request.setProperty(ACTOR, caller.name());
    request.setProperty(CALLER, caller);
    AuditOrigin.bind(new AuditOrigin(caller.role().wire(), source()));
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    AuditOrigin.clear();
  }

  private void open(ContainerRequestContext request) {
    String claimed = request.getHeaderString(ACTOR_HEADER);
    if (claimed != null && !claimed.isBlank() && !ACTOR_NAME.matcher(claimed.strip()).matches()) {
      request.abortWith(
          Response.status(400)
              .type(MediaType.APPLICATION_JSON_TYPE)
              .entity(
                  new ErrorBody(
                      400,
                      "bad_request",
                      ACTOR_HEADER + " must be 1 to 100 printable characters",
                      ACTOR_HEADER,
                      null,
                      null))
              .build());
      return;
    }
    String actor = claimed == null || claimed.isBlank() ? "anonymous" : claimed.strip();
    request.setProperty(ACTOR, actor);
    // No tokens: an open, local installation, where everyone may do everything.
    request.setProperty(CALLER, new Caller(actor, Role.ADMIN, null));
    AuditOrigin.bind(new AuditOrigin(Role.ADMIN.wire(), source()));
  }

  /**
   * Why a token limited to services may not make this request, or null when it may: only a
   * service-scoped route ({@link Permissions#SERVICE_SCOPED}) naming one of its services.
   */
  private String outsideItsServices(Caller caller, String route, ContainerRequestContext request)
      throws IOException {
    String what = "token " + caller.name() + " is limited to services " + caller.services();
    if (!Permissions.SERVICE_SCOPED.contains(route)) {
      return what + "; " + route + " is not about one service";
    }
    MultivaluedMap<String, String> params = request.getUriInfo().getPathParameters();
    String service;
    if (params.containsKey("name")) {
      service = params.getFirst("name");
    } else if (params.containsKey("id")) {
      service =
          ledger == null
              ? null
              : ledger
                  .deployment(params.getFirst("id"))
                  .map(DeploymentRecord::service)
                  .orElse(null);
      if (service == null) {
        return null; // an unknown deployment: the resource answers 404
      }
    } else {
      // POST /api/v1/deployments: the service is in the body, read here and handed on as it came.
      byte[] body = request.getEntityStream().readAllBytes();
      request.setEntityStream(new ByteArrayInputStream(body));
      service = serviceOf(body);
      if (service == null) {
        return null; // no service named: the resource answers 400
      }
    }
    return caller.services().contains(service) ? null : what + "; not " + service;
  }

  private static String serviceOf(byte[] body) {
    try {
      JsonNode tree = JSON.readTree(body);
      return tree != null && tree.path("service").isTextual() ? tree.get("service").asText() : null;
    } catch (IOException unreadable) {
      return null; // the resource's reader answers the 400
    }
  }

  private String source() {
    try {
      return servlet == null ? null : servlet.getRemoteAddr();
    } catch (IllegalStateException outsideARequest) {
      return null;
    }
  }

  private static Response.ResponseBuilder error(int status, String error, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorBody(status, error, message, null, null, null));
  }

  /** The actor the filter recorded for this request. */
  public static String actor(ContainerRequestContext request) {
    Object actor = request.getProperty(ACTOR);
    return actor == null ? "anonymous" : actor.toString();
  }
}
