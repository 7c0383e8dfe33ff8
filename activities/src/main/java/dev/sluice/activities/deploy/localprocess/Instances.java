package dev.sluice.activities.deploy.localprocess;

import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Operations on instance processes that the deployer and {@link LocalFleet} share. */
final class Instances {

  /** How long a process gets to die after SIGKILL before we report it as surviving. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private Instances() {}

  /** How a stop ended. */
  enum StopOutcome {
    /** Exited after SIGTERM. */
    STOPPED,
    /** Ignored SIGTERM for the stop timeout and was killed. */
    KILLED,
    /** Still alive even after SIGKILL (stuck in the kernel, or not ours to kill). */
    SURVIVED
  }

  /**
   * The live process {@code state} describes, if it is still ours. A pid alone proves nothing:
   * after our instance died, the OS may have given its pid to an unrelated process, and killing
   * that would be a disaster. So the process must also have the start time we recorded and a
   * command line naming the instance's port or target.
   */
  static Optional<ProcessHandle> ours(InstanceState state) {
    Optional<ProcessHandle> found = ProcessHandle.of(state.pid()).filter(ProcessHandle::isAlive);
    if (found.isEmpty() || state.pid() == ProcessHandle.current().pid()) {
      return Optional.empty();
    }
    ProcessHandle.Info info = found.get().info();
    Optional<Instant> started = info.startInstant();
    boolean startKnown = started.isPresent() && state.processStart() != null;
    if (startKnown
        && Duration.between(started.get(), state.processStart())
                .abs()
                .compareTo(Duration.ofSeconds(1))
            > 0) {
      return Optional.empty();
    }
    Optional<String> commandLine = info.commandLine();
    if (commandLine.isPresent()) {
      return names(commandLine.get(), Integer.toString(state.port()))
              || names(commandLine.get(), state.target())
          ? found
          : Optional.empty();
    }
    // Without a command line, only a matching start time vouches for the process.
    return startKnown ? found : Optional.empty();
  }

  /** Whether one word of {@code commandLine} is {@code value}, or ends with {@code =value}. */
  private static boolean names(String commandLine, String value) {
    for (String word : commandLine.split("\\s+")) {
      if (word.equals(value) || word.endsWith("=" + value) || word.endsWith(":" + value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Stops {@code process} and its descendants: SIGTERM, up to {@code timeout} for a graceful exit,
   * then SIGKILL. Heartbeats about once a second meanwhile.
   */
  static StopOutcome stop(
      ProcessHandle process, Duration timeout, Heartbeat heartbeat, String targetId)
      throws InterruptedException {
    List<ProcessHandle> family = new ArrayList<>();
    family.add(process);
    // Collected before the parent dies: afterwards its children are re-parented and lost to us.
    process.descendants().forEach(family::add);
    family.forEach(ProcessHandle::destroy);
    if (awaitExit(family, timeout, heartbeat, targetId, "stopping")) {
      return StopOutcome.STOPPED;
    }
    family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    return awaitExit(family, KILL_WAIT, heartbeat, targetId, "killing")
        ? StopOutcome.KILLED
        : StopOutcome.SURVIVED;
  }

  private static boolean awaitExit(
      List<ProcessHandle> processes,
      Duration timeout,
      Heartbeat heartbeat,
      String targetId,
      String phase)
      throws InterruptedException {
    long startedNanos = System.nanoTime();
    long deadline = startedNanos + timeout.toNanos();
    for (ProcessHandle process : processes) {
      while (process.isAlive()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          process.onExit().get(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
          heartbeat.beat(
              Map.of(
                  "target",
                  targetId,
                  "phase",
                  phase,
                  "pid",
                  process.pid(),
                  "waitedMs",
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos)));
        }
      }
    }
    return true;
  }

  /** Whether something accepts TCP connections on {@code host:port} right now. */
  static boolean acceptsConnections(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether {@code port} can be bound on {@code host}, as the instance binds it. Binding, not
   * connecting, is the test: a listener on every interface holds the port on {@code host} too, one
   * on another address alone does not.
   */
  static boolean portFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
