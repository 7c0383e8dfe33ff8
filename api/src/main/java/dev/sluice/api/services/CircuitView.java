package dev.sluice.api.services;

import java.time.Instant;

/**
 * A service's deployment circuit breaker.
 *
 * @param blockedUntil when deployments are allowed again; null when the circuit is closed
 */
public record CircuitView(
    String service, boolean open, int consecutiveFailures, int threshold, Instant blockedUntil) {}
