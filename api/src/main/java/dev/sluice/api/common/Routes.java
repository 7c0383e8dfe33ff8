package dev.sluice.api.common;

import java.util.List;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * A matched request's route as the API's tables name it: the resource's templates joined ({@code
 * /api/v1/deployments/{id}/{action}}), never the raw path. Metrics label by it, permissions look it
 * up.
 */
public final class Routes {

  private Routes() {}

  /** {@code METHOD /path/{template}}, e.g. {@code POST /api/v1/deployments/{id}/{action}}. */
  public static String template(ExtendedUriInfo info, String method) {
    String path = path(info);
    return method + " " + (path == null ? "/" + info.getPath() : path);
  }

  /** The matched templates, outermost (the resource class's) first, joined; null unmatched. */
  public static String path(ExtendedUriInfo info) {
    List<UriTemplate> templates = info.getMatchedTemplates();
    if (templates.isEmpty()) {
      return null;
    }
    StringBuilder route = new StringBuilder();
    for (int i = templates.size() - 1; i >= 0; i--) {
      String part = templates.get(i).getTemplate();
      boolean slashBefore = route.length() > 0 && route.charAt(route.length() - 1) == '/';
      boolean slashAfter = part.startsWith("/");
      if (slashBefore && slashAfter) {
        route.append(part, 1, part.length());
      } else {
        if (!slashBefore && !slashAfter) {
          route.append('/');
        }
        route.append(part);
      }
    }
    if (route.length() > 1 && route.charAt(route.length() - 1) == '/') {
      route.setLength(route.length() - 1);
    }
    return route.toString();
  }
}
