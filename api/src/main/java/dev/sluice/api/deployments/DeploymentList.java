package dev.sluice.api.deployments;

import java.util.List;

/** {@code GET /api/v1/deployments}: newest first, without events. */
public record DeploymentList(List<DeploymentView> deployments) {}
