package dev.sluice.ledger;

import static dev.sluice.ledger.AuditTrail.SYSTEM_ACTOR;
import static dev.sluice.ledger.DeploymentReads.DEPLOYMENT_COLUMNS;
import static dev.sluice.ledger.Timestamps.at;

import dev.sluice.ledger.BeginResult.Busy;
import dev.sluice.ledger.BeginResult.Created;
import dev.sluice.ledger.BeginResult.Existing;
import dev.sluice.ledger.BeginResult.KeyReused;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Starting deployments and each service's lock: begin (with its idempotency key), closing a
 * deployment that never started, reopening a finished one for a retry, and releasing a lock for
 * reconciliation. One deployment per service holds the lock at a time.
 */
final class DeploymentStarts {

  private final LedgerJson json;
  private final Timestamps time;
  private final AuditTrail audit;
  private final DeploymentReads reads;

  DeploymentStarts(LedgerJson json, Timestamps time, AuditTrail audit, DeploymentReads reads) {
    this.json = json;
    this.time = time;
    this.audit = audit;
    this.reads = reads;
  }

  /** See {@link Ledger#begin}. */
  BeginResult begin(Handle h, NewDeployment deployment) {
    // The lock first, then the key: the lock and the deployment row commit together, so
    // once a concurrent winner's lock is visible its keyed row is too, and a retry with
    // the same key is answered Existing rather than Busy.
    Optional<String> holder = lockHolder(h, deployment.service());
    if (deployment.idempotencyKey() != null) {
      Optional<DeploymentRecord> seen =
          h.createQuery(
                  "SELECT " + DEPLOYMENT_COLUMNS + " FROM deployments WHERE idempotency_key = :key")
              .bind("key", deployment.idempotencyKey())
              .map((rs, ctx) -> reads.deploymentRow(rs))
              .findOne();
      if (seen.isPresent()) {
        return Objects.equals(seen.get().requestFingerprint(), deployment.requestFingerprint())
            ? new Existing(seen.get())
            : new KeyReused(seen.get());
      }
    }
    if (holder.isPresent()) {
      return new Busy(holder.get());
    }
    Instant now = time.now();
    h.createUpdate(
            "INSERT INTO deployments (id, service, version, strategy, state, phase, batch,"
                + " batches, previous_version, requested_by, idempotency_key,"
                + " request_fingerprint, request, targets, created_at, updated_at,"
                + " release_id)"
                + " VALUES (:id, :service, :version, :strategy, :state, :phase, 0, 0,"
                + " :previous, :requestedBy, :key, :fingerprint, :request, :targets, :now,"
                + " :now, :release)")
        .bind("id", deployment.id())
        .bind("service", deployment.service())
        .bind("version", deployment.version())
        .bind("strategy", deployment.strategy())
        .bind("state", DeploymentState.PENDING.name())
        .bind("phase", Phase.PREPARING.name())
        .bind("previous", deployment.previousVersion())
        .bind("requestedBy", deployment.requestedBy())
        .bind("key", deployment.idempotencyKey())
        .bind("fingerprint", deployment.requestFingerprint())
        .bind("request", json.write(deployment.request()))
        .bind("targets", json.write(initialTargets(h, deployment)))
        .bind("now", at(now))
        .bind("release", deployment.releaseId())
        .execute();
    // After the deployment row: the lock references it. A concurrent begin blocks here on
    // the primary key until this transaction ends, then fails and is retried as Busy.
    h.createUpdate(
            "INSERT INTO service_locks (service, deployment_id, acquired_at)"
                + " VALUES (:service, :id, :now)")
        .bind("service", deployment.service())
        .bind("id", deployment.id())
        .bind("now", at(now))
        .execute();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("service", deployment.service());
    details.put("version", deployment.version());
    details.put("strategy", deployment.strategy());
    details.put("previousVersion", deployment.previousVersion());
    details.put("idempotencyKey", deployment.idempotencyKey());
    if (deployment.releaseId() != null) {
      details.put("release", deployment.releaseId());
    }
    audit.append(h, deployment.requestedBy(), "deployment.begin", deployment.id(), details);
    return new Created(reads.deployment(h, deployment.id()).orElseThrow());
  }

  /** See {@link Ledger#startFailed}. */
  boolean startFailed(Handle h, String deploymentId, String reason) {
    return closeUnstarted(
        h, deploymentId, DeploymentState.FAILED, "deployment.start-failed", reason);
  }

  /** See {@link Ledger#abandon}. */
  boolean abandon(Handle h, String deploymentId, String reason) {
    return closeUnstarted(h, deploymentId, DeploymentState.ABORTED, "deployment.abandoned", reason);
  }

  private boolean closeUnstarted(
      Handle h, String deploymentId, DeploymentState state, String action, String reason) {
    Instant now = time.now();
    int updated =
        h.createUpdate(
                "UPDATE deployments SET state = :failed, phase = :completed,"
                    + " reason = :reason, updated_at = :now, finished_at = :now,"
                    // A deployment that never started does not keep its key: the
                    // client's retry with the same key must be able to start one.
                    + " idempotency_key = NULL"
                    + " WHERE id = :id AND state = :pending")
            .bind("failed", state.name())
            .bind("completed", Phase.COMPLETED.name())
            .bind("reason", reason)
            .bind("now", at(now))
            .bind("id", deploymentId)
            .bind("pending", DeploymentState.PENDING.name())
            .execute();
    if (updated == 0) {
      return false;
    }
    h.createUpdate("DELETE FROM service_locks WHERE deployment_id = :id")
        .bind("id", deploymentId)
        .execute();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", reason);
    audit.append(h, SYSTEM_ACTOR, action, deploymentId, details);
    return true;
  }

  /** The id of the deployment holding the service's lock, if one does. */
  static Optional<String> lockHolder(Handle h, String service) {
    return h.createQuery("SELECT deployment_id FROM service_locks WHERE service = :service")
        .bind("service", service)
        .mapTo(String.class)
        .findOne();
  }

  /** See {@link Ledger#newerDeployment}. */
  static Optional<String> newerDeployment(Handle h, String service, String deploymentId) {
    return h.createQuery(
            "SELECT d.id FROM deployments d JOIN deployments mine ON mine.id = :id"
                + " WHERE d.service = :service AND d.id <> mine.id"
                + " AND d.created_at >= mine.created_at"
                + " ORDER BY d.created_at DESC, d.id DESC LIMIT 1")
        .bind("id", deploymentId)
        .bind("service", service)
        .mapTo(String.class)
        .findOne();
  }

  /** See {@link Ledger#reopen}. */
  Optional<String> reopen(Handle h, String deploymentId, String service, String actor) {
    Optional<String> holder = lockHolder(h, service);
    if (holder.isPresent() && holder.get().equals(deploymentId)) {
      return Optional.empty();
    }
    Optional<String> later = newerDeployment(h, service, deploymentId);
    if (later.isPresent() || holder.isPresent()) {
      return later.or(() -> holder);
    }
    Instant now = time.now();
    h.createUpdate(
            "INSERT INTO service_locks (service, deployment_id, acquired_at)"
                + " VALUES (:service, :id, :now)")
        .bind("service", service)
        .bind("id", deploymentId)
        .bind("now", at(now))
        .execute();
    h.createUpdate(
            "UPDATE deployments SET state = :running, finished_at = NULL,"
                + " current_version = NULL, reason = NULL, updated_at = :now WHERE id = :id")
        .bind("running", DeploymentState.RUNNING.name())
        .bind("now", at(now))
        .bind("id", deploymentId)
        .execute();
    h.createUpdate("DELETE FROM version_history WHERE deployment_id = :id")
        .bind("id", deploymentId)
        .execute();
    audit.append(h, actor == null ? SYSTEM_ACTOR : actor, "deployment.retry", deploymentId, null);
    return Optional.empty();
  }

  /** See {@link Ledger#releaseLock}. */
  boolean releaseLock(Handle h, String service, String deploymentId) {
    int deleted =
        h.createUpdate("DELETE FROM service_locks WHERE service = :service AND deployment_id = :id")
            .bind("service", service)
            .bind("id", deploymentId)
            .execute();
    if (deleted > 0) {
      audit.append(h, SYSTEM_ACTOR, "lock.released", service, Map.of("deploymentId", deploymentId));
    }
    return deleted > 0;
  }

  /** Targets of a new deployment: its fleet, PENDING, with the versions the ledger knows. */
  private static List<TargetStatus> initialTargets(Handle h, NewDeployment deployment) {
    Map<String, String> known = DeploymentReads.targetVersions(h, deployment.service());
    List<TargetStatus> targets = new ArrayList<>();
    for (Target target : deployment.request().service().fleet()) {
      String version = known.get(target.id());
      targets.add(new TargetStatus(target.id(), version, version, TargetState.PENDING, null));
    }
    return targets;
  }
}
