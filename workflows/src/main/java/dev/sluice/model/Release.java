package dev.sluice.model;

import java.time.Duration;

/**
 * One release as a durable pipeline: schema migration (expand and backfill) → deployment → flag
 * rollout → gate → contract. Every stage is optional but at least one is given.
 *
 * @param releaseId also the workflow id
 * @param migration the expand-contract migration the new version needs; null: none
 * @param deployment the deployment of the new version; null: none
 * @param rollback the deployment that takes the service back to its previous version, used when a
 *     later stage fails (prepared with the release: the previous version is known then); null: the
 *     deployment is not undone
 * @param flagRollout the flag rollout releasing the new code path; null: none
 * @param gateAfter the release's own gate before contract: null waits for {@code promote}
 * @param requestedBy who asked for it
 */
public record Release(
    String releaseId,
    MigrationSpec migration,
    DeploymentRequest deployment,
    DeploymentRequest rollback,
    FlagRollout flagRollout,
    Duration gateAfter,
    String requestedBy) {}
