package dev.sluice.api.releases;

/** Optional body of a release's control: why. */
public record ReasonBody(String reason) {}
