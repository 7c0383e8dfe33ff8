package dev.sluice.ledger;

/**
 * How many canary analyses of {@code service}'s deployments ended with {@code verdict}: a {@link
 * dev.sluice.model.Verdict} name, or {@code UNKNOWN} for an event whose message names none.
 */
public record VerdictTally(String service, String verdict, long count) {}
