package dev.sluice.activities;

/**
 * A setting no retry can fix: an unknown adapter type, a missing or malformed setting. Activities
 * turn it into a non-retryable failure so the deployment stops at once with this message.
 */
public class ConfigurationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
