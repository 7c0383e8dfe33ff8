package dev.sluice.api.migrations;

import dev.sluice.model.MigrationOperation;
import java.util.List;

/** A spec on the wire: durations as "500ms", "30m", "1d" or ISO-8601. */
public record MigrationBody(
    String name,
    String datasource,
    List<MigrationOperation> operations,
    BackfillBody backfill,
    MigrationGateBody gate,
    VerifyBody verify,
    String reason) {}
