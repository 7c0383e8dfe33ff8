package dev.sluice.activities.deploy.ssm;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.host.CommandResult;
import dev.sluice.activities.deploy.host.HostShell;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;

/**
 * Runs command lines on a target's instance through SSM Run Command: one {@code SendCommand} of the
 * settings' document (AWS-RunShellScript) to the instance, then {@code GetCommandInvocation} polled
 * with back-off, heartbeating a {@link Progress} each time, until the invocation reaches a terminal
 * status.
 *
 * <p>What the statuses become: {@code Success} and {@code Failed} are the script's own end (its
 * exit status is the invocation's response code, its output standard output then standard error);
 * {@code TimedOut} after the execution timeout is a command that did not end in time. A command
 * that never reached the instance ({@code DeliveryTimedOut}, {@code Undeliverable}: the instance is
 * stopped or its agent is not connected) ran nothing and is an {@link IOException}, retried like an
 * unreachable SSH host; {@code InvalidPlatform} and {@code AccessDenied} are {@link
 * ConfigurationException}s. {@code Cancelled} (someone cancelled the command) and {@code
 * Terminated} end the command as failed, naming the status.
 */
final class SsmShell implements HostShell {

  /** What a deploy heartbeats while Run Command works: the command and its last status. */
  public record Progress(String what, String commandId, String status, long waitedMillis) {}

  private final SsmSettings settings;
  private final SsmApi api;

  SsmShell(SsmSettings settings, SsmApi api) {
    this.settings = settings;
    this.api = api;
  }

  /** Run Command needs no connection: each run is a command of its own. */
  @Override
  public Session open(Target target, Heartbeat heartbeat) {
    String instanceId = settings.instanceId(target);
    return (commandLine, deadline, beats, what) ->
        run(instanceId, commandLine, deadline, beats, what);
  }

  /** The instance id. */
  @Override
  public String where(Target target) {
    return settings.instanceId(target);
  }

  @Override
  public List<String> secrets() {
    return List.of();
  }

  private CommandResult run(
      String instanceId, String commandLine, Duration deadline, Heartbeat heartbeat, String what)
      throws IOException {
    Duration execution = Duration.ofSeconds(Math.max(1, (deadline.toMillis() + 999) / 1000));
    String commandId =
        api.send(
            settings.documentName(),
            instanceId,
            commandLine,
            execution,
            settings.deliveryTimeout(),
            "sluice: " + what);
    long started = System.nanoTime();
    // Run Command ends the command itself after the delivery and execution timeouts; past them
    // and a margin, its answer is not coming.
    long giveUp = started + settings.deliveryTimeout().plus(execution).plusSeconds(30).toNanos();
    Duration interval = settings.pollInterval();
    while (true) {
      GetCommandInvocationResponse invocation = api.invocation(commandId, instanceId);
      String status = invocation == null ? "NotYetKnown" : invocation.statusAsString();
      long now = System.nanoTime();
      heartbeat.beat(
          new Progress(what, commandId, status, Duration.ofNanos(now - started).toMillis()));
      if (invocation != null) {
        CommandResult result = ended(invocation, instanceId, commandId, what);
        if (result != null) {
          return result;
        }
      } else if (now - started > settings.deliveryTimeout().toNanos()) {
        throw new IOException(
            "Run Command does not know command " + commandId + " on " + instanceId + " yet");
      }
      if (now > giveUp) {
        return new CommandResult(
            -1, "sluice: Run Command still says " + status + " for " + commandId, true);
      }
      pause(interval, what);
      interval = interval.plus(interval.dividedBy(2));
      if (interval.compareTo(settings.maxPollInterval()) > 0) {
        interval = settings.maxPollInterval();
      }
    }
  }

  /** The result of a terminal invocation, null while it is not over. */
  private static CommandResult ended(
      GetCommandInvocationResponse invocation, String instanceId, String commandId, String what)
      throws IOException {
    CommandInvocationStatus status = invocation.status();
    String details = String.valueOf(invocation.statusDetails());
    String output = output(invocation);
    int code = invocation.responseCode() == null ? -1 : invocation.responseCode();
    if (status == null) {
      // No status at all: keep asking until there is one or time runs out.
      return null;
    }
    return switch (status) {
      case PENDING, IN_PROGRESS, DELAYED, CANCELLING, UNKNOWN_TO_SDK_VERSION -> null;
      case SUCCESS -> new CommandResult(code == -1 ? 0 : code, output, false);
      case TIMED_OUT -> {
        if (details.equals("DeliveryTimedOut")) {
          throw new IOException(notDelivered(instanceId, commandId, details));
        }
        yield new CommandResult(-1, output, true);
      }
      case FAILED ->
          switch (details) {
            case "Failed" -> new CommandResult(code, output, false);
            case "Undeliverable" ->
                throw new IOException(notDelivered(instanceId, commandId, details));
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
            default -> endedAs(code, output, status, details);
          };
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

  private static String notDelivered(String instanceId, String commandId, String details) {
    return "Run Command could not hand command "
        + commandId
        + " to "
        + instanceId
        + " ("
        + details
        + "): is the instance running and its SSM agent connected?";
  }

  /** Standard output, then standard error when there is any. */
  private static String output(GetCommandInvocationResponse invocation) {
    String out =
        invocation.standardOutputContent() == null ? "" : invocation.standardOutputContent();
    String err = invocation.standardErrorContent() == null ? "" : invocation.standardErrorContent();
    return err.isBlank() ? out : out + (out.isEmpty() || out.endsWith("\n") ? "" : "\n") + err;
  }

  private static void pause(Duration interval, String what) throws InterruptedIOException {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException("interrupted while " + what);
      interrupted.initCause(e);
      throw interrupted;
    }
  }
}
