package dev.sluice.api.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a token may do, each role including the ones before it (as Kubernetes' view, edit and admin
 * cluster roles do): a viewer reads; a deployer also starts, pauses and resumes; an approver also
 * promotes, aborts, retries, rolls back and kills a flag; an admin also defines services, flags,
 * migrations and tokens and resets circuit breakers.
 */
public enum Role {
  VIEWER,
  DEPLOYER,
  APPROVER,
  ADMIN;

  /** Whether a token of this role may do what {@code needed} may. */
  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The role's name on the wire and in the configuration: {@code approver}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role of that name, whatever its case; empty for another word. */
  public static Optional<Role> of(String name) {
    return Arrays.stream(values()).filter(r -> r.name().equalsIgnoreCase(name)).findFirst();
  }

  /** {@code viewer, deployer, approver, admin}, for error messages. */
  public static String names() {
    return String.join(", ", Arrays.stream(values()).map(Role::wire).toList());
  }
}
