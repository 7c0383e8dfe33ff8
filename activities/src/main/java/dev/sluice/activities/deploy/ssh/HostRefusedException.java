package dev.sluice.activities.deploy.ssh;

import dev.sluice.activities.ConfigurationException;

/**
 * A host that no retry will let in: its key is not the one {@code known_hosts} lists (or it is not
 * listed), or it refuses every key offered. The deploy fails at once with a message naming the host
 * and the fingerprint; fixing it takes a person (update {@code known_hosts}, install the key).
 */
final class HostRefusedException extends ConfigurationException {

  private static final long serialVersionUID = 1L;

  HostRefusedException(String message) {
    super(message);
  }
}
