package dev.sluice.activities.aws;

import dev.sluice.activities.ProviderUnavailableException;

/**
 * An AWS API could not be reached or kept failing with an error a retry may fix (throttling, a 5xx,
 * a connection refused or timed out) after the SDK's own retries: retryable. The message names the
 * service, the operation and AWS's words.
 */
public class AwsUnavailableException extends ProviderUnavailableException {

  private static final long serialVersionUID = 1L;

  public AwsUnavailableException(String message) {
    super(message);
  }

  public AwsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
