package dev.sluice.api.migrations;

import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Status;
import java.util.Map;

/**
 * A configured datasource in {@code GET /api/v1/migrations}, with its schema migration.
 *
 * @param answer {@code status}: {@code status} is what {@code GET /api/v1/migrations/{datasource}}
 *     answers (the migration running there, or the last one that ran); {@code none}: no migration
 *     has run there; {@code unanswered}: no worker answered for it in time ({@code message} says
 *     so)
 * @param status the migration's status; null unless {@code answer} is {@code status}
 */
public record MigrationEntry(
    String datasource, String answer, Status status, String message, Map<String, String> links) {}
