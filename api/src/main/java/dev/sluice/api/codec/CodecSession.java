package dev.sluice.api.codec;

import static java.nio.charset.StandardCharsets.UTF_8;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Base64;

/**
 * {@code /api/v1/codec/session}: a browser's way to the codec endpoint. The Temporal UI cannot send
 * a Sluice token, only cookies (its data encoder's "include cross-origin credentials"), so a token
 * holder — the dashboard does it on sign-in — trades the token for a cookie that is sent to the
 * codec's routes and no others ({@code Path=/api/v1/codec}, {@code HttpOnly}, {@code
 * SameSite=Strict}: pages of another site never send it). The cookie carries the token itself, so
 * revoking the token ends the session; {@code DELETE} forgets it.
 */
@Path("/api/v1/codec/session")
public class CodecSession {

  /** The cookie's name. */
  public static final String COOKIE = "sluice_codec";

  /** A session lasts a working day; sign in again after. */
  static final int MAX_AGE_S = 12 * 60 * 60;

  @POST
  public Response open(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context UriInfo uri) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      // An API without tokens: the codec's routes are open, no cookie is needed.
      return Response.noContent().build();
    }
    String token = authorization.substring("Bearer ".length()).strip();
    return Response.noContent()
        .cookie(
            cookie(Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(UTF_8)))
                .maxAge(MAX_AGE_S)
                .secure("https".equals(uri.getRequestUri().getScheme()))
                .build())
        .build();
  }

  @DELETE
  public Response close() {
    return Response.noContent().cookie(cookie("").maxAge(0).build()).build();
  }

  private static NewCookie.Builder cookie(String value) {
    return new NewCookie.Builder(COOKIE)
        .value(value)
        .path("/api/v1/codec")
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.STRICT);
  }

  /**
   * The {@code Authorization} a request to the codec's routes carries in its session cookie, or
   * null: for any other route, or without the cookie, or with a value that is not one.
   */
  public static String authorization(ContainerRequestContext request) {
    if (!request.getUriInfo().getPath().startsWith(CodecCors.PATH)) {
      return null;
    }
    Cookie cookie = request.getCookies().get(COOKIE);
    if (cookie == null || cookie.getValue() == null || cookie.getValue().isEmpty()) {
      return null;
    }
    try {
      return "Bearer " + new String(Base64.getUrlDecoder().decode(cookie.getValue()), UTF_8);
    } catch (IllegalArgumentException notOurs) {
      return null;
    }
  }
}
