package dev.sluice.activities.deploy.ssm;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.host.CommandResult;
import java.io.IOException;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;

/**
 * What a Run Command invocation's status (and its details) means for the script it ran:
 *
 * <ul>
 *   <li>{@code Pending}, {@code InProgress}, {@code Delayed}, {@code Cancelling}: not over yet;
 *   <li>{@code Success}, {@code Failed}: the script's own end, its exit status the invocation's
 *       response code, its output standard output then standard error;
 *   <li>{@code TimedOut} after the execution timeout: a script that did not end in time;
 *   <li>never delivered ({@code DeliveryTimedOut}, {@code Undeliverable}: the instance is stopped
 *       or its agent is not connected): nothing ran, an {@link IOException} retried like an
 *       unreachable SSH host;
 *   <li>{@code InvalidPlatform}, {@code AccessDenied}: a {@link ConfigurationException}, no retry
 *       can fix them;
 *   <li>anything else ({@code Cancelled}: someone cancelled the command; {@code Terminated}): the
 *       script failed, the status named in its output.
 * </ul>
 */
final class Invocations {

  private Invocations() {}

  /**
   * The result of {@code invocation}, null while it is not over.
   *
   * @throws IOException when the command never reached the instance
   * @throws ConfigurationException when Run Command refused to run it there
   */
  static CommandResult ended(
      GetCommandInvocationResponse invocation, String instanceId, String commandId, String what)
      throws IOException {
    CommandInvocationStatus status = invocation.status();
    String details = String.valueOf(invocation.statusDetails());
    String output = output(invocation);
    int code = invocation.responseCode() == null ? -1 : invocation.responseCode();
    switch (details) {
      case "DeliveryTimedOut", "Undeliverable" ->
          throw new IOException(
              "Run Command could not hand command "
                  + commandId
                  + " to "
                  + instanceId
                  + " ("
                  + details
                  + "): is the instance running and its SSM agent connected?");
      case "InvalidPlatform", "AccessDenied" ->
          throw new ConfigurationException(
              SsmSettings.OWNER
                  + ": Run Command refused "
                  + what
                  + " on "
                  + instanceId
                  + " ("
                  + details
                  + ", command "
                  + commandId
                  + ")"
                  + (output.isBlank() ? "" : ": " + output));
      default -> {}
    }
    if (status == null) {
      return null;
    }
    return switch (status) {
      case PENDING, IN_PROGRESS, DELAYED, CANCELLING, UNKNOWN_TO_SDK_VERSION -> null;
      case SUCCESS -> new CommandResult(code == -1 ? 0 : code, output, false);
      case TIMED_OUT -> new CommandResult(-1, output, true);
      case FAILED ->
          details.equals("Failed")
              ? new CommandResult(code, output, false)
              : endedAs(code, output, status, details);
      default -> endedAs(code, output, status, details);
    };
  }

  private static CommandResult endedAs(
      int code, String output, CommandInvocationStatus status, String details) {
    return new CommandResult(
        code == -1 ? 1 : code,
        output + "\nsluice: Run Command ended the command " + status + " (" + details + ")",
        false);
  }

  /** Standard output, then standard error when there is any. */
  private static String output(GetCommandInvocationResponse invocation) {
    String out =
        invocation.standardOutputContent() == null ? "" : invocation.standardOutputContent();
    String err = invocation.standardErrorContent() == null ? "" : invocation.standardErrorContent();
    return err.isBlank() ? out : out + (out.isEmpty() || out.endsWith("\n") ? "" : "\n") + err;
  }
}
