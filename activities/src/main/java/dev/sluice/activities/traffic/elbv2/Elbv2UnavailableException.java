package dev.sluice.activities.traffic.elbv2;

/**
 * ELBv2 could not be reached or kept failing with an error a retry may fix (throttling, a 5xx, a
 * connection refused or timed out) after the SDK's own retries: retryable. The message names the
 * operation and AWS's words.
 */
public class Elbv2UnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public Elbv2UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
