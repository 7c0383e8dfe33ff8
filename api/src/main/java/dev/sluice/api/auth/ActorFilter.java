package dev.sluice.api.auth;

import dev.sluice.api.common.ErrorBody;
import dev.sluice.api.errors.ApiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Works out who is calling, for the audit trail. With tokens configured every API call needs {@code
 * Authorization: Bearer <token>} and the actor is the token's name; without, the API is open (local
 * use) and the actor is the {@code X-Sluice-Actor} header or {@code anonymous}.
 */
@Priority(Priorities.AUTHENTICATION)
public class ActorFilter implements ContainerRequestFilter {

  public static final String ACTOR = "sluice.actor";
  public static final String ADMIN = "sluice.admin";
  public static final String ACTOR_HEADER = "X-Sluice-Actor";

  /** What a claimed actor may look like: it is stored in the ledger and shown in audits. */
  private static final Pattern ACTOR_NAME = Pattern.compile("[\\p{Graph} ]{1,100}");

  /** Secret → token name. */
  private final Map<String, String> tokens;

  private final Set<String> admins;

  /**
   * @param tokens secret → token name
   * @param admins names of the tokens that may do admin actions
   */
  public ActorFilter(Map<String, String> tokens, Set<String> admins) {
    this.tokens = Map.copyOf(tokens);
    this.admins = Set.copyOf(admins);
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (tokens.isEmpty()) {
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
      request.setProperty(
          ACTOR, claimed == null || claimed.isBlank() ? "anonymous" : claimed.strip());
      // No tokens: an open, local installation, where everyone may do everything.
      request.setProperty(ADMIN, true);
      return;
    }
    if (request.getUriInfo().getMatchedResources().stream()
        .anyMatch(PublicResource.class::isInstance)) {
      request.setProperty(ACTOR, "anonymous");
      request.setProperty(ADMIN, false);
      return;
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    String name = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      name = lookup(header.substring(7).trim());
    }
    if (name == null) {
      request.abortWith(
          Response.status(401)
              .type(MediaType.APPLICATION_JSON_TYPE)
              .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sluice\"")
              .entity(
                  new ErrorBody(
                      401,
                      "unauthorized",
                      "a valid API token is required: Authorization: Bearer <token>",
                      null,
                      null,
                      null))
              .build());
      return;
    }
    request.setProperty(ACTOR, name);
    request.setProperty(ADMIN, admins.contains(name));
  }

  /** Refuses (403) a request whose token may not do admin actions. */
  public static void requireAdmin(ContainerRequestContext request, String what) {
    if (!Boolean.TRUE.equals(request.getProperty(ADMIN))) {
      throw new ApiException(
          new ErrorBody(
              403,
              "forbidden",
              what + " needs an admin token (auth.tokens[].admin: true)",
              null,
              null,
              null));
    }
  }

  /** Compares against every token in constant time, so timing does not reveal a prefix. */
  private String lookup(String presented) {
    byte[] given = presented.getBytes(StandardCharsets.UTF_8);
    String found = null;
    for (Map.Entry<String, String> token : tokens.entrySet()) {
      if (MessageDigest.isEqual(given, token.getKey().getBytes(StandardCharsets.UTF_8))) {
        found = token.getValue();
      }
    }
    return found;
  }

  /** The actor the filter recorded for this request. */
  public static String actor(ContainerRequestContext request) {
    Object actor = request.getProperty(ACTOR);
    return actor == null ? "anonymous" : actor.toString();
  }
}
