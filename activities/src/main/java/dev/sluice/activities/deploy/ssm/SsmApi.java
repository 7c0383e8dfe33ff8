package dev.sluice.activities.deploy.ssm;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.aws.AwsCalls;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.aws.AwsUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

/**
 * The Run Command calls the {@code ssm} deployer makes, over AWS SDK v2's {@code ssm} client, with
 * AWS's errors sorted by {@link AwsCalls}: throttling, 5xx and connection failures are retried by
 * the SDK and, if they persist, surface as the retryable {@link AwsUnavailableException}; every
 * other error AWS answers (access denied, {@code InvalidInstanceId} for an instance that is not a
 * managed node, {@code InvalidDocument}, a validation error) is a {@link ConfigurationException}
 * carrying AWS's code and message.
 */
final class SsmApi implements AutoCloseable {

  private static final String SERVICE = "ssm";

  /** SendCommand's comment is at most 100 characters. */
  private static final int MAX_COMMENT = 100;

  private final SsmClient client;

  SsmApi(SsmClient client) {
    this.client = client;
  }

  /** A client over {@code connection}; connects to nothing yet. */
  static SsmApi of(AwsConnection connection) {
    return new SsmApi(connection.build(SsmClient.builder()));
  }

  /**
   * Sends {@code commandLine} to {@code instanceId} as the {@code commands} of {@code document}.
   *
   * @param executionTimeout how long it may run on the instance (the document's {@code
   *     executionTimeout})
   * @param deliveryTimeout how long Run Command may take to start it (SendCommand's {@code
   *     TimeoutSeconds})
   * @return the command id
   */
  String send(
      String document,
      String instanceId,
      String commandLine,
      Duration executionTimeout,
      Duration deliveryTimeout,
      String comment) {
    String shortComment =
        comment.length() <= MAX_COMMENT ? comment : comment.substring(0, MAX_COMMENT - 1) + "…";
    return AwsCalls.call(
        SERVICE,
        "SendCommand " + document + " to " + instanceId,
        () ->
            client
                .sendCommand(
                    r ->
                        r.documentName(document)
                            .instanceIds(instanceId)
                            .comment(shortComment)
                            .timeoutSeconds((int) deliveryTimeout.toSeconds())
                            .parameters(
                                Map.of(
                                    "commands",
                                    List.of(commandLine),
                                    "executionTimeout",
                                    List.of(Long.toString(executionTimeout.toSeconds())))))
                .command()
                .commandId());
  }

  /**
   * The invocation of {@code commandId} on {@code instanceId}; null while Run Command does not know
   * it yet (right after SendCommand, {@code InvocationDoesNotExist} for a moment).
   */
  GetCommandInvocationResponse invocation(String commandId, String instanceId) {
    return AwsCalls.call(
        SERVICE,
        "GetCommandInvocation " + commandId + " on " + instanceId,
        () -> {
          try {
            return client.getCommandInvocation(r -> r.commandId(commandId).instanceId(instanceId));
          } catch (InvocationDoesNotExistException notYet) {
            return null;
          }
        });
  }

  @Override
  public void close() {
    client.close();
  }
}
