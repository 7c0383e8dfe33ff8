package dev.sluice.api.releases;

import dev.sluice.api.deployments.DeploymentCreate;
import dev.sluice.api.migrations.MigrationBody;

/**
 * A release on the wire; every stage optional, at least one given.
 *
 * @param migration an expand-contract migration, as {@code POST /api/v1/migrations} takes it; its
 *     own gate is left out: the release opens it after the release's gate
 * @param deployment a deployment, as {@code POST /api/v1/deployments} takes it
 * @param flagRollout a rollout of {@code flag}, as {@code POST /api/v1/flags/{key}/rollout} takes
 *     it
 * @param gate the release's gate before contract: {@code {"after": "2h"}} opens by itself; left
 *     out, it waits for {@code promote}
 */
public record ReleaseBody(
    MigrationBody migration,
    DeploymentCreate deployment,
    FlagRolloutBody flagRollout,
    ReleaseGateBody gate,
    String reason) {}
