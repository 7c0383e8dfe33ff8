package dev.sluice.api.deployments;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.workflows.ControlResponse;

/**
 * Answer to a control, and to a later question about it.
 *
 * @param outcome {@code accepted}, {@code pending} (no worker has taken it yet: Temporal holds it
 *     and the next worker accepts or refuses it) or {@code rejected}
 * @param controlId the control's id, to ask {@code GET …/controls/{controlId}} for its outcome
 * @param state the deployment's state when the workflow accepted it; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlView(
    String deploymentId,
    String action,
    String controlId,
    String outcome,
    String state,
    String phase,
    String message) {

  public static ControlView accepted(
      String deploymentId, String action, String controlId, ControlResponse response) {
    return new ControlView(
        deploymentId,
        action,
        controlId,
        "accepted",
        response.state().name(),
        response.phase().name(),
        response.message());
  }

  public static ControlView pending(
      String deploymentId, String action, String controlId, String message) {
    return new ControlView(deploymentId, action, controlId, "pending", null, null, message);
  }

  public static ControlView rejected(String deploymentId, String controlId, String message) {
    return new ControlView(deploymentId, null, controlId, "rejected", null, null, message);
  }
}
