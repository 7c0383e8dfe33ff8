package dev.sluice.api.releases;

/** The release's gate before contract: {@code after} opens it by itself; unset, promote does. */
public record ReleaseGateBody(String after) {}
