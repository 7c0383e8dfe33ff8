package dev.sluice.model;

import java.util.List;

/** What a deployment workflow returns when it ends. */
public record DeploymentResult(
    String deploymentId, DeploymentState state, String reason, List<TargetStatus> targets) {}
