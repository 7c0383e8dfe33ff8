package dev.sluice.activities.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a reader of a notification acts: the deployment on the dashboard, the dashboard's
 * confirmation of a promote or an abort, and the same on the REST API. Added when a notification is
 * sent, so it follows the configured public URL of the moment.
 */
final class NotificationLinks {

  private NotificationLinks() {}

  /** Adds {@code links} to {@code payload} (Sluice's notification) under {@code publicUrl}. */
  static ObjectNode add(ObjectNode payload, String publicUrl) {
    String base =
        publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    ObjectNode links = payload.putObject("links");
    String id = payload.path("deploymentId").asText(null);
    if (id != null) {
      String dashboard = base + "/#/deployments/" + id;
      String api = base + "/api/v1/deployments/" + id;
      links.put("deployment", dashboard);
      links.put("promote", dashboard + "?action=promote");
      links.put("abort", dashboard + "?action=abort");
      links.put("api", api);
      links.put("apiPromote", api + "/promote");
      links.put("apiAbort", api + "/abort");
    }
    String service = payload.path("service").asText(null);
    if (service != null) {
      links.put("serviceHistory", base + "/api/v1/services/" + service + "/history");
      if ("circuit.opened".equals(payload.path("type").asText())) {
        links.put("circuit", base + "/api/v1/services/" + service + "/circuit");
      }
    }
    return payload;
  }
}
