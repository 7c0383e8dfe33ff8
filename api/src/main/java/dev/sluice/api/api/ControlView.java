package dev.sluice.api.api;

/** Answer to an accepted control. */
public record ControlView(
    String deploymentId, String action, String state, String phase, String message) {}
