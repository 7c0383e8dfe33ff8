package dev.sluice.api.migrations;

import java.util.List;

/** {@code GET /api/v1/migrations}: every configured datasource, by name. */
public record MigrationList(List<MigrationEntry> migrations) {}
