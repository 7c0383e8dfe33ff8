package dev.sluice.ledger;

import java.time.Instant;
import java.util.List;

/**
 * An API token made over the API, as the ledger keeps it: never its secret.
 *
 * @param role {@code viewer}, {@code deployer}, {@code approver} or {@code admin}
 * @param services the services it may act on; empty: every service
 * @param revokedAt when it was revoked; null while it works
 */
public record ApiToken(
    String name,
    String role,
    List<String> services,
    Instant createdAt,
    String createdBy,
    Instant revokedAt,
    String revokedBy) {

  public ApiToken {
    services = services == null ? List.of() : List.copyOf(services);
  }
}
