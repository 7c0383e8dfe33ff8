package dev.sluice.api.migrations;

/**
 * How a backfill paces itself; every field optional (adaptive, with the defaults of {@code
 * MigrationSpec.Pace}). {@code adaptive: false}: fixed batches of {@code batchSize}.
 */
public record PaceBody(
    Boolean adaptive,
    String targetBatchTime,
    Integer minBatchSize,
    Integer maxBatchSize,
    Double maxSlowdown,
    String probeQuery) {}
