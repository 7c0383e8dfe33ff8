package dev.sluice.api.auth;

import java.util.Set;

/**
 * Who makes a request: a token's name and role, and the services it is limited to (empty: every
 * service). Without tokens (an open, local installation) everyone is an admin.
 */
public record Caller(String name, Role role, Set<String> services) {

  public Caller {
    services = services == null ? Set.of() : Set.copyOf(services);
  }

  /** Whether the token may act only on some services. */
  public boolean limited() {
    return !services.isEmpty();
  }
}
