package dev.sluice.activities.deploy.host;

import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * What carries a command line to a target's host and its output back: an SSH session, an SSM Run
 * Command. The command lines are {@link RemoteScript}'s: POSIX shell, every value quoted.
 */
public interface HostShell {

  /**
   * Opens a way to {@code target}'s host.
   *
   * @throws IOException when the host cannot be reached (retryable)
   */
  Session open(Target target, Heartbeat heartbeat) throws IOException;

  /** {@code target}'s host as messages name it ({@code deploy@10.0.0.5:22}, {@code i-0abc…}). */
  String where(Target target);

  /** Literal values masked in any output before it leaves the deployer (a key's passphrase). */
  List<String> secrets();

  /** An open way to one host; closing it frees what it holds (by default nothing). */
  interface Session extends AutoCloseable {

    /**
     * Runs {@code commandLine} and waits for it to end, heartbeating while it waits.
     *
     * @param deadline how long it may run; past it the result is {@link CommandResult#timedOut()}
     * @param what for progress and messages ({@code "deploying 1.2.0 to app-1"})
     * @throws IOException when the connection fails or drops (retryable)
     */
    CommandResult run(String commandLine, Duration deadline, Heartbeat heartbeat, String what)
        throws IOException;

    @Override
    default void close() throws IOException {}
  }
}
