package dev.sluice.api.auth;

import static dev.sluice.api.auth.Role.ADMIN;
import static dev.sluice.api.auth.Role.APPROVER;
import static dev.sluice.api.auth.Role.DEPLOYER;
import static dev.sluice.api.auth.Role.VIEWER;
import static java.util.Map.entry;

import java.util.Map;
import java.util.Set;

/**
 * The role each endpoint needs, in one table. A {@code GET} needs {@link Role#VIEWER}; every other
 * route is listed here, a control route once per action ({@code POST
 * /api/v1/deployments/{id}/{action}} with {@code promote}), and {@code PermissionsTest} fails for a
 * registered route that is missing. An action the table does not name (a typo) needs the route's
 * lowest role, so the resource answers it with its own 400 or 404.
 */
public final class Permissions {

  private Permissions() {}

  /** Route ({@code METHOD template}) or route with its action → the role it needs. */
  static final Map<String, Role> ROUTES =
      Map.ofEntries(
          // services
          entry("PUT /api/v1/services/{name}", ADMIN),
          entry("POST /api/v1/services/{name}/circuit/reset", ADMIN),
          entry("POST /api/v1/services/{name}/rollback", APPROVER),
          // deployments
          entry("POST /api/v1/deployments", DEPLOYER),
          entry("POST /api/v1/deployments/{id}/{action}", DEPLOYER),
          entry("POST /api/v1/deployments/{id}/pause", DEPLOYER),
          entry("POST /api/v1/deployments/{id}/resume", DEPLOYER),
          entry("POST /api/v1/deployments/{id}/promote", APPROVER),
          entry("POST /api/v1/deployments/{id}/abort", APPROVER),
          entry("POST /api/v1/deployments/{id}/retry", APPROVER),
          // pure computation
          entry("POST /api/v1/analysis/judge", VIEWER),
          entry("POST /api/v1/flags/{key}/evaluate", VIEWER),
          entry("POST /api/v1/codec/decode", VIEWER),
          entry("POST /api/v1/codec/encode", VIEWER),
          entry("POST /api/v1/codec/session", VIEWER),
          entry("DELETE /api/v1/codec/session", VIEWER),
          // flags: definitions are the admin's, traffic the deployer's, the kill switch the
          // approver's
          entry("POST /api/v1/flags", ADMIN),
          entry("PUT /api/v1/flags/{key}", ADMIN),
          entry("DELETE /api/v1/flags/{key}", ADMIN),
          entry("POST /api/v1/flags/{key}/rules", ADMIN),
          entry("DELETE /api/v1/flags/{key}/rules/{index}", ADMIN),
          entry("POST /api/v1/flags/{key}/versions/{version}/restore", ADMIN),
          entry("POST /api/v1/flags/{key}/disable", APPROVER),
          entry("POST /api/v1/flags/{key}/enable", APPROVER),
          entry("POST /api/v1/flags/{key}/rollout", DEPLOYER),
          entry("POST /api/v1/flags/{key}/rollouts", DEPLOYER),
          entry("POST /api/v1/flags/{key}/rollouts/current/{action}", DEPLOYER),
          entry("POST /api/v1/flags/{key}/rollouts/current/pause", DEPLOYER),
          entry("POST /api/v1/flags/{key}/rollouts/current/resume", DEPLOYER),
          entry("POST /api/v1/flags/{key}/rollouts/current/promote", APPROVER),
          entry("POST /api/v1/flags/{key}/rollouts/current/abort", APPROVER),
          // schema and data migrations change every service's database: the admin's
          entry("POST /api/v1/migrations", ADMIN),
          entry("POST /api/v1/migrations/{datasource}/{action}", ADMIN),
          entry("POST /api/v1/dual-writes", ADMIN),
          entry("POST /api/v1/dual-writes/{name}/{action}", ADMIN),
          // releases: a deployment with its migration and flag stages
          entry("POST /api/v1/releases", DEPLOYER),
          entry("POST /api/v1/releases/{id}/{action}", DEPLOYER),
          entry("POST /api/v1/releases/{id}/promote", APPROVER),
          entry("POST /api/v1/releases/{id}/abort", APPROVER),
          // tokens
          entry("POST /api/v1/tokens", ADMIN),
          entry("DELETE /api/v1/tokens/{name}", ADMIN));

  /** Routes a token limited to services may use: they act on one service, named by the request. */
  static final Set<String> SERVICE_SCOPED =
      Set.of(
          "POST /api/v1/services/{name}/rollback",
          "POST /api/v1/deployments",
          "POST /api/v1/deployments/{id}/{action}");

  /**
   * The role a request needs.
   *
   * @param route {@code METHOD template}, e.g. {@code POST /api/v1/deployments/{id}/{action}}
   * @param action the {@code {action}} path parameter, or null
   */
  public static Role required(String route, String action) {
    if (route.startsWith("GET ")) {
      return VIEWER;
    }
    if (action != null) {
      Role specific = ROUTES.get(route.replace("{action}", action));
      if (specific != null) {
        return specific;
      }
    }
    Role role = ROUTES.get(route);
    // Unlisted is a gap PermissionsTest reports; until then only an admin may.
    return role == null ? ADMIN : role;
  }
}
