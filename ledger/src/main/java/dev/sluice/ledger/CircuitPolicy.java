package dev.sluice.ledger;

import java.time.Duration;

/**
 * When a service's deployments are refused: after {@code failures} failed or rolled-back
 * deployments in a row (aborts do not count either way), for {@code blockFor} after the last.
 */
public record CircuitPolicy(int failures, Duration blockFor) {
  public static final CircuitPolicy DEFAULT = new CircuitPolicy(3, Duration.ofHours(1));
}
