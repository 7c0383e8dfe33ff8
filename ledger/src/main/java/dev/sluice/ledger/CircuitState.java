package dev.sluice.ledger;

import java.time.Instant;

/**
 * A service's circuit breaker, derived from its version history since the last reset: no counter is
 * stored, so it cannot drift from what actually happened.
 *
 * @param blockedUntil when new deployments are allowed again; null when not blocked
 */
public record CircuitState(
    String service, int consecutiveFailures, int threshold, Instant blockedUntil, boolean open) {}
