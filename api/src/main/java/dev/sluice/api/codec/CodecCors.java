package dev.sluice.api.codec;

import dev.sluice.api.common.ErrorBody;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lets the Temporal UI, a page of another origin, call the codec endpoint from the browser: answers
 * its preflight ({@code OPTIONS}, which carries no token, so it is answered before authentication)
 * and marks the codec's answers — 401 and 403 included, so the UI can tell why — readable by the
 * origins allowed. Other origins get no CORS headers, so their pages cannot read the answers.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class CodecCors implements ContainerRequestFilter, ContainerResponseFilter {

  static final String PATH = "api/v1/codec/";

  private final Set<String> origins;

  /**
   * @param origins {@code scheme://host:port} of each UI allowed, without a trailing slash
   */
  public CodecCors(Set<String> origins) {
    this.origins = Set.copyOf(origins);
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (!"OPTIONS".equals(request.getMethod()) || !codec(request)) {
      return;
    }
    String origin = request.getHeaderString("Origin");
    if (origin == null || !origins.contains(origin)) {
      request.abortWith(
          Response.status(403)
              .type(MediaType.APPLICATION_JSON_TYPE)
              .entity(
                  new ErrorBody(
                      403,
                      "forbidden",
                      "origin "
                          + origin
                          + " may not call the codec endpoint; temporal.encryption.uiOrigins"
                          + " allows "
                          + new TreeSet<>(origins),
                      "Origin",
                      null,
                      null))
              .build());
      return;
    }
    request.abortWith(
        Response.noContent()
            .header("Access-Control-Allow-Methods", "POST, OPTIONS")
            .header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Namespace")
            .header("Access-Control-Max-Age", "600")
            .build());
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (!codec(request)) {
      return;
    }
    MultivaluedMap<String, Object> headers = response.getHeaders();
    headers.add("Vary", "Origin");
    String origin = request.getHeaderString("Origin");
    if (origin != null && origins.contains(origin)) {
      headers.putSingle("Access-Control-Allow-Origin", origin);
      headers.putSingle("Access-Control-Allow-Credentials", "true");
    }
  }

  private static boolean codec(ContainerRequestContext request) {
    return request.getUriInfo().getPath().startsWith(PATH);
  }
}
