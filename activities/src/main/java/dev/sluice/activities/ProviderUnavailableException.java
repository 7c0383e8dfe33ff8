package dev.sluice.activities;

/**
 * What an adapter talks to could not be reached, or kept failing with an error a retry may fix
 * (throttling, a 5xx, a connection refused or timed out): retryable, unlike a {@link
 * ConfigurationException}. Callers outside the adapters (the API resolving a fleet source) catch
 * this, never an adapter's own subclass.
 */
public class ProviderUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ProviderUnavailableException(String message) {
    super(message);
  }

  public ProviderUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
