package dev.sluice.workflows;

import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;

/** Answer to an accepted control: the state right after it and what will happen. */
public record ControlResponse(DeploymentState state, Phase phase, String message) {}
