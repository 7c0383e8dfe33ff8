package dev.sluice.api.migrations;

import dev.sluice.workflows.migrations.DualWriteMigrationWorkflow.Status;
import java.time.Instant;
import java.util.Map;

/**
 * A dual-write migration in {@code GET /api/v1/dual-writes}: its latest start, as the ledger
 * recorded it, and where it stands.
 *
 * @param answer {@code status}: {@code status} is what {@code GET /api/v1/dual-writes/{name}}
 *     answers; {@code none}: Temporal no longer has it (past its retention); {@code unanswered}: no
 *     worker answered for it in time ({@code message} says so)
 * @param status the migration's status; null unless {@code answer} is {@code status}
 */
public record DualWriteEntry(
    String name,
    String flagKey,
    Instant startedAt,
    String startedBy,
    String answer,
    Status status,
    String message,
    Map<String, String> links) {}
