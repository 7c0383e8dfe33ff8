package dev.sluice.api.deployments;

/**
 * Optional body of a control ({@code pause}, {@code resume}, {@code abort}, {@code promote}, {@code
 * retry}): why, and for {@code promote} whether to skip every remaining step.
 */
public record ControlBody(String reason, Boolean full) {}
