package dev.sluice.api.migrations;

public record BackfillBody(
    Integer batchSize,
    String delay,
    String lockTimeout,
    String throttleQuery,
    Double throttleAbove,
    PaceBody pace) {}
