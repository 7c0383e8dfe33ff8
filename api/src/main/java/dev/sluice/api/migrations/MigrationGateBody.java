package dev.sluice.api.migrations;

public record MigrationGateBody(Boolean promote, String after) {}
