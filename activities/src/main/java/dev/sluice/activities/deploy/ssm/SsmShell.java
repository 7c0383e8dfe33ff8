package dev.sluice.activities.deploy.ssm;

import dev.sluice.activities.deploy.host.CommandResult;
import dev.sluice.activities.deploy.host.HostShell;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;

/**
 * Runs command lines on a target's instance through SSM Run Command: one {@code SendCommand} of the
 * settings' document (AWS-RunShellScript) to the instance, then {@code GetCommandInvocation} polled
 * with back-off, heartbeating a {@link Progress} each time, until the invocation reaches a terminal
 * status, which {@link Invocations} reads. An invocation Run Command does not know yet ({@code
 * InvocationDoesNotExist}, for a moment after SendCommand) is asked again until the delivery
 * timeout has passed, then an {@link IOException} (retryable).
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
        CommandResult result = Invocations.ended(invocation, instanceId, commandId, what);
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
