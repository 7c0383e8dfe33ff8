package dev.sluice.model;

import java.time.Instant;

/**
 * Something that happened during a deployment.
 *
 * @param seq position in the deployment's event sequence, from 1; makes ledger writes idempotent
 * @param at workflow time it happened
 * @param type short machine-readable kind, e.g. {@code target.drained}
 * @param target target id, or {@code null} for deployment-wide events
 * @param message human-readable sentence
 */
public record DeploymentEvent(int seq, Instant at, String type, String target, String message) {}
