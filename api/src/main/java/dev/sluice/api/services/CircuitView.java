package dev.sluice.api.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A service's deployment circuit breaker.
 *
 * @param blockedUntil when deployments are allowed again; absent when the circuit is closed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CircuitView(
    String service, boolean open, int consecutiveFailures, int threshold, Instant blockedUntil) {}
