package dev.sluice.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One mutation in the audit trail.
 *
 * @param id increasing with insertion order
 * @param actor user or CI token name, or {@link Ledger#SYSTEM_ACTOR} for Sluice's own actions
 * @param action what was done, e.g. {@code service.put} or {@code deployment.begin}
 * @param subject what it was done to: a service name or a deployment id; may be {@code null}
 * @param details action-specific facts as JSON; {@code null} when there are none
 * @param role the actor's role when a request of the API made the change; else null
 * @param source the address that request came from; else null
 */
public record AuditEntry(
    long id,
    Instant at,
    String actor,
    String action,
    String subject,
    JsonNode details,
    String role,
    String source) {}
