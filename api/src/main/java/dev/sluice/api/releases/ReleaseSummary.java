package dev.sluice.api.releases;

import java.time.Instant;
import java.util.Map;

/**
 * A release in {@code GET /api/v1/releases}: what the ledger recorded when it started, and where
 * its workflow stands as the Temporal server says without a worker. Its stage while it runs, its
 * events and its stages' links are its own view's ({@code links.self}).
 *
 * @param migration {@code "NAME on DATASOURCE"}; null without a migration stage
 * @param deployment {@code "DEPLOYMENT-ID SERVICE VERSION"}; null without a deployment stage
 * @param flagRollout {@code "FLAG VARIANT"}; null without a flag rollout stage
 * @param gateAfter the gate's timer as ISO-8601 ({@code PT2H}); null when only promote opens it
 * @param state the workflow's status in Temporal: {@code RUNNING}, {@code COMPLETED}, {@code
 *     FAILED}, {@code CANCELED}, {@code TERMINATED}, {@code TIMED_OUT}; {@code UNKNOWN} when
 *     Temporal could not be asked or no longer has it (past its retention)
 * @param stage where it ended ({@code COMPLETED}, {@code ROLLED_BACK}, {@code FAILED}) once its
 *     workflow completed; null otherwise
 */
public record ReleaseSummary(
    String id,
    Instant startedAt,
    String startedBy,
    String migration,
    String deployment,
    String flagRollout,
    String gateAfter,
    String reason,
    String state,
    String stage,
    Map<String, String> links) {}
