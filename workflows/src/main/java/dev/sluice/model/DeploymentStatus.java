package dev.sluice.model;

import java.util.List;

/**
 * Live status of a deployment, as the workflow's {@code status} query returns it.
 *
 * @param batch current batch, from 1; 0 before the first
 * @param batches number of batches
 * @param events the most recent events (the ledger keeps all of them)
 */
public record DeploymentStatus(
    String deploymentId,
    String service,
    String strategy,
    String version,
    String previousVersion,
    DeploymentState state,
    Phase phase,
    int batch,
    int batches,
    List<TargetStatus> targets,
    List<DeploymentEvent> events,
    String reason) {}
