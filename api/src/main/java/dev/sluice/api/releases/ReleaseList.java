package dev.sluice.api.releases;

import java.util.List;

/** {@code GET /api/v1/releases}: newest first. */
public record ReleaseList(List<ReleaseSummary> releases) {}
