package dev.sluice.api.openapi;

/**
 * The answer to a control sent as a signal when no worker said in time where the workflow stands
 * ({@code Queries.pending}): accepted, applied when a worker picks it up. Only described here; the
 * API writes it as a map.
 */
record SignalSent(String id, String action, boolean accepted, String message) {}
