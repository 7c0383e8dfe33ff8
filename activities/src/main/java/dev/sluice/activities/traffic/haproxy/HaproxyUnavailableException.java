package dev.sluice.activities.traffic.haproxy;

import dev.sluice.activities.ProviderUnavailableException;

/**
 * HAProxy's runtime API could not be reached or did not answer in time: the socket file is missing,
 * the connection was refused or reset, or the answer timed out. Retryable: HAProxy may be
 * restarting or reloading. The message always names the socket.
 */
public class HaproxyUnavailableException extends ProviderUnavailableException {

  private static final long serialVersionUID = 1L;

  private final String socket;

  public HaproxyUnavailableException(String socket, String message, Throwable cause) {
    super(message, cause);
    this.socket = socket;
  }

  /** The socket address as configured: a path or {@code tcp://host:port}. */
  public String socket() {
    return socket;
  }
}
