package dev.sluice.ledger;

import dev.sluice.model.DeploymentState;
import java.time.Instant;

/**
 * One finished deployment in a service's version history.
 *
 * @param version the version the deployment tried to roll out
 * @param previousVersion what the service ran before it; {@code null} when unknown
 * @param outcome its final state
 * @param startedAt when it was created
 * @param currentVersion what the whole service ran after it; {@code null} when the fleet was left
 *     mixed or the versions were unknown
 */
public record VersionHistoryEntry(
    String service,
    String deploymentId,
    String version,
    String previousVersion,
    DeploymentState outcome,
    Instant startedAt,
    Instant finishedAt,
    String currentVersion) {}
