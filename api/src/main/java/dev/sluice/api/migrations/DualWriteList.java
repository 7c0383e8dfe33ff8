package dev.sluice.api.migrations;

import java.util.List;

/** {@code GET /api/v1/dual-writes}: newest start first. */
public record DualWriteList(List<DualWriteEntry> dualWrites) {}
