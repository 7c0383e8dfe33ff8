package dev.sluice.ledger;

/** A notification waiting for delivery. */
public record Notification(long id, String service, String type, String payload, int attempts) {}
