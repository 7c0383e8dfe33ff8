package dev.sluice.ledger;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.TargetStatus;
import dev.sluice.model.Waiting;
import java.time.Instant;
import java.util.List;

/**
 * A deployment as the ledger knows it: what was asked, and its latest recorded progress.
 *
 * @param id deployment id, also its workflow id
 * @param strategy strategy id; {@code null} when the deployment was first seen through a progress
 *     record rather than started by the API
 * @param reason why it failed, rolled back or was aborted; {@code null} otherwise
 * @param previousVersion the version the service ran before; {@code null} when unknown
 * @param currentVersion the version the whole service ran after it finished; {@code null} while
 *     running, when the fleet ended mixed, or when unknown
 * @param requestedBy who started it; {@code null} when not started by the API
 * @param idempotencyKey the client's key, or {@code null}
 * @param requestFingerprint hash of the request body, or {@code null}
 * @param request the workflow input; {@code null} when not started by the API
 * @param targets latest status of every target, in fleet order; never {@code null}
 * @param finishedAt when it reached a final state; {@code null} while in progress
 * @param releaseId the release this deployment is a stage of; {@code null} for one of its own
 */
public record DeploymentRecord(
    String id,
    String service,
    String version,
    String strategy,
    DeploymentState state,
    Phase phase,
    int batch,
    int batches,
    String reason,
    String previousVersion,
    String currentVersion,
    String requestedBy,
    String idempotencyKey,
    String requestFingerprint,
    DeploymentRequest request,
    List<TargetStatus> targets,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt,
    String releaseId,
    Waiting waiting,
    Integer trafficWeight) {

  /** Copies {@code targets}; {@code null} becomes an empty list. */
  public DeploymentRecord {
    targets = targets == null ? List.of() : List.copyOf(targets);
  }
}
