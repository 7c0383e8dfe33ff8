package dev.sluice.api.dashboard;

import dev.sluice.api.auth.PublicResource;
import dev.sluice.api.errors.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web dashboard: a page and its scripts, served from the jar (no build step, nothing fetched
 * from elsewhere at run time), at {@code /} and {@code /dashboard/*}. They hold no data and need no
 * token; the page calls the REST API with the token its user types in.
 */
@Path("/")
public class DashboardResource implements PublicResource {

  private static final String ROOT = "/dashboard/";

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8");

  /**
   * Scripts and styles only from this origin, none inline, no framing: the page renders API data.
   */
  static final String POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self';"
          + " img-src 'self' data:; frame-ancestors 'none'";

  @GET
  public Response index() {
    return file("index.html");
  }

  @GET
  @Path("dashboard/{file: [a-z0-9-]+\\.(html|js|css)}")
  public Response asset(@PathParam("file") String file) {
    return file(file);
  }

  private static Response file(String name) {
    byte[] body = read(name);
    if (body == null) {
      throw ApiException.notFound("no dashboard file " + name);
    }
    CacheControl noCache = new CacheControl();
    noCache.setNoCache(true);
    return Response.ok(body, TYPES.get(name.substring(name.lastIndexOf('.') + 1)))
        .cacheControl(noCache)
        .header("Content-Security-Policy", POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }

  private static byte[] read(String name) {
    try (InputStream in = DashboardResource.class.getResourceAsStream(ROOT + name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
