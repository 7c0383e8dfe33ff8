package dev.sluice.api.api;

/** Optional body of a control ({@code pause}, {@code resume}, {@code abort}): why. */
public record ControlBody(String reason) {}
