package dev.sluice.activities.aws;

import dev.sluice.activities.ConfigurationException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * AWS's errors sorted the one way every AWS adapter needs: throttling, 5xx and connection failures
 * (already retried by the SDK's standard strategy) surface as the retryable {@link
 * AwsUnavailableException}; every other error AWS answers (access denied, an unknown ARN or id, a
 * validation error) is a {@link ConfigurationException} carrying AWS's code and message, since the
 * same request would get the same answer; so are credentials found nowhere in the chain, or a
 * profile without any.
 */
public final class AwsCalls {

  private AwsCalls() {}

  /**
   * Runs {@code call}, {@code operation} of {@code service} (both only for messages: {@code
   * "elbv2"}, {@code "DescribeListeners arn:…"}).
   */
  public static <T> T call(String service, String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (AwsServiceException e) {
      String words =
          e.awsErrorDetails() == null
              ? e.getMessage()
              : e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
      if (e.isThrottlingException() || e.statusCode() >= 500) {
        throw new AwsUnavailableException(service + ": " + operation + " failed: " + words, e);
      }
      throw new ConfigurationException(service + ": " + operation + " refused: " + words, e);
    } catch (SdkClientException e) {
      String message = String.valueOf(e.getMessage());
      if (message.contains("Unable to load credentials")
          || message.contains("no credentials for profile")) {
        // No credentials anywhere in the chain, or no such profile: no retry brings them.
        throw new ConfigurationException(service + ": " + operation + ": " + e.getMessage(), e);
      }
      throw new AwsUnavailableException(
          service + ": " + operation + " failed: " + e.getMessage(), e);
    }
  }
}
