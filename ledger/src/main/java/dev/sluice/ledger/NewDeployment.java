package dev.sluice.ledger;

import dev.sluice.model.DeploymentRequest;
import java.util.Objects;

/**
 * A deployment the API is about to start, as {@link Ledger#begin} records it.
 *
 * @param id the deployment's id, also its workflow id
 * @param service service name
 * @param version version to deploy
 * @param strategy strategy id
 * @param requestedBy who asked for it (user or CI token name)
 * @param idempotencyKey the client's {@code Idempotency-Key}; {@code null} when it sent none
 * @param requestFingerprint hash of the request body, so a reused key with a different body is told
 *     apart from a retry; may be {@code null}
 * @param request the workflow input, stored so the ledger shows exactly what was run
 * @param previousVersion the version the service ran before this deployment; {@code null} when
 *     unknown
 * @param releaseId the release whose stage this deployment is; {@code null} for a deployment of its
 *     own
 */
public record NewDeployment(
    String id,
    String service,
    String version,
    String strategy,
    String requestedBy,
    String idempotencyKey,
    String requestFingerprint,
    DeploymentRequest request,
    String previousVersion,
    String releaseId) {

  /** Requires id, service, version, requester and request; the rest may be {@code null}. */
  public NewDeployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(requestedBy, "requestedBy");
    Objects.requireNonNull(request, "request");
  }

  /**
   * A new deployment whose id, service, version, strategy and requester come from {@code request}.
   */
  public static NewDeployment of(
      DeploymentRequest request,
      String idempotencyKey,
      String requestFingerprint,
      String previousVersion) {
    return of(request, idempotencyKey, requestFingerprint, previousVersion, null);
  }

  /** A new deployment for a stage of release {@code releaseId}. */
  public static NewDeployment of(
      DeploymentRequest request,
      String idempotencyKey,
      String requestFingerprint,
      String previousVersion,
      String releaseId) {
    return new NewDeployment(
        request.deploymentId(),
        request.service().name(),
        request.version(),
        request.strategy(),
        request.requestedBy(),
        idempotencyKey,
        requestFingerprint,
        request,
        previousVersion,
        releaseId);
  }
}
