package dev.sluice.activities.deploy.localprocess;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.localprocess.Instances.StopOutcome;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.Heartbeat;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs one OS process per target on the target's port: the local stand-in for a real deployer (SSH
 * + docker). Registered as type {@code local-process}; settings in {@link LocalProcessSettings}.
 *
 * <p>Instances outlive the worker that started them: their output goes to {@code
 * <workDir>/<target>/app.log} and their input comes from {@code /dev/null} (no pipes tie them to
 * the worker), they run in a session of their own, and what the deployer knows about them lives in
 * {@code <workDir>/<target>/instance.json}. A worker that takes over after a crash manages the
 * running instances from those files. Every action is appended to {@code <workDir>/deployer.log}
 * (format in {@link DeployerLog}).
 */
public final class LocalProcessDeployer implements Deployer {

  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final int LOG_TAIL_LINES = 15;
  private static final int LOG_TAIL_MAX_BYTES = 4096;
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(1);
  private static final Optional<Path> SETSID =
      Arrays.stream(new String[] {"/usr/bin/setsid", "/bin/setsid"})
          .map(Path::of)
          .filter(Files::isExecutable)
          .findFirst();

  private final LocalProcessSettings settings;
  private final DeployerLog log;

  public LocalProcessDeployer(LocalProcessSettings settings) {
    this.settings = settings;
    this.log = new DeployerLog(settings.workDir());
  }

  /**
   * Builds the deployer a service definition names.
   *
   * @throws ConfigurationException when a setting is missing or malformed
   */
  public static LocalProcessDeployer fromRef(ProviderRef ref) {
    return new LocalProcessDeployer(LocalProcessSettings.from(ref));
  }

  public LocalProcessSettings settings() {
    return settings;
  }

  /**
   * Replaces what runs on {@code target} with {@code version}: stops the current instance (SIGTERM,
   * then SIGKILL after {@code stopTimeout}), starts the new one and waits until its port accepts
   * connections. When the state shows this very request already started {@code version} and the
   * process is alive, nothing is touched and the result says {@code alreadyDone}; if that process
   * had not finished starting (the previous worker died waiting), the wait resumes instead of
   * starting a second instance.
   *
   * @return {@code ok == false} with the reason (and the end of the instance's log) when the
   *     instance exits, does not listen within {@code startTimeout}, or the port is taken by a
   *     process this deployer did not start
   * @throws ConfigurationException when the target id cannot name a directory or the sample app's
   *     jar or behaviour file does not exist
   */
  @Override
  public DeployResult deploy(Target target, String version, String requestId, Heartbeat heartbeat) {
    check(target);
    checkFiles();
    Path dir = settings.instanceDir(target.id());
    try {
      Optional<TargetLock> lock = lock(dir, target, heartbeat);
      if (lock.isEmpty()) {
        return failed(
            target,
            version,
            requestId,
            null,
            "locked",
            "another deploy to " + target.id() + " is still in progress; try again later");
      }
      try {
        return deployLocked(target, version, requestId, heartbeat, dir);
      } finally {
        lock.get().close();
      }
    } catch (InterruptedException e) {
      // The worker is stopping: not a verdict on the version. Failing the activity lets Temporal
      // retry it on another worker, where the request id makes it carry on, not start over.
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deploying " + version, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private DeployResult deployLocked(
      Target target, String version, String requestId, Heartbeat heartbeat, Path dir)
      throws IOException, InterruptedException {
    Optional<InstanceState> current = InstanceState.read(dir);
    if (current.isPresent()) {
      InstanceState state = current.get();
      Optional<ProcessHandle> process = Instances.ours(state);
      if (process.isPresent()
          && version.equals(state.version())
          && requestId.equals(state.requestId())) {
        if (state.running()) {
          logDeploy(target, version, requestId, "already-done", state.pid(), null);
          return new DeployResult(
              true,
              version,
              true,
              "already running " + version + " (pid " + state.pid() + ") for this request");
        }
        return awaitListening(target, state, process.get(), null, -1, heartbeat, true);
      }
      if (process.isPresent()) {
        StopOutcome outcome =
            Instances.stop(process.get(), settings.stopTimeout(), heartbeat, target.id());
        logStop(state, outcome, "redeploy");
        if (outcome == StopOutcome.SURVIVED) {
          return failed(
              target,
              version,
              requestId,
              state.pid(),
              "previous-survived",
              "the previous instance (pid " + state.pid() + ") survived SIGKILL");
        }
      }
      InstanceState.delete(dir);
    }
    if (!Instances.portFree(target.host(), target.port())) {
      return failed(
          target,
          version,
          requestId,
          null,
          "port-taken",
          String.format(
              "port %d is in use by a process this deployer did not start;"
                  + " free it or give %s another port",
              target.port(), target.id()));
    }
    return start(target, version, requestId, heartbeat, dir);
  }

  private DeployResult start(
      Target target, String version, String requestId, Heartbeat heartbeat, Path dir)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (settings.detach() && SETSID.isPresent()) {
      command.add(SETSID.get().toString());
    }
    command.addAll(settings.commandFor(target, version));
    Path appLog = dir.resolve("app.log");
    Files.writeString(
        appLog,
        String.format(
            "--- %s sluice: starting %s on %s (request %s)%n",
            Instant.now(), version, target.address(), requestId),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    long logOffset = Files.size(appLog);

    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(appLog.toFile()))
            .redirectErrorStream(true);
    builder.environment().putAll(settings.env());
    builder.environment().put("SLUICE_TARGET", target.id());
    builder.environment().put("SLUICE_VERSION", version);
    builder.environment().put("SLUICE_PORT", Integer.toString(target.port()));
    builder.environment().put("SLUICE_REQUEST_ID", requestId);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return failed(
          target,
          version,
          requestId,
          null,
          "spawn-error",
          "cannot run " + command + ": " + e.getMessage());
    }
    ProcessHandle handle = process.toHandle();
    // Recorded before anything else, so a worker that dies from here on leaves a state file that
    // leads its successor to this process.
    InstanceState state =
        new InstanceState(
            target.id(),
            version,
            requestId,
            handle.pid(),
            target.host(),
            target.port(),
            Instant.now(),
            handle.info().startInstant().orElse(null),
            InstanceState.STARTING);
    state.write(dir);
    logDeploy(target, version, requestId, "started", handle.pid(), null);
    return awaitListening(target, state, handle, process, logOffset, heartbeat, false);
  }

  /**
   * Waits until the instance accepts connections, exits, or {@code startTimeout} passes.
   *
   * @param process the {@link Process} when this JVM started it (for its exit status)
   * @param logOffset where this start's output begins in app.log, or -1 when unknown
   * @param resumed whether an earlier attempt of this request started the process
   */
  private DeployResult awaitListening(
      Target target,
      InstanceState state,
      ProcessHandle handle,
      Process process,
      long logOffset,
      Heartbeat heartbeat,
      boolean resumed)
      throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + settings.startTimeout().toNanos();
    long nextBeat = started;
    while (true) {
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (!handle.isAlive()) {
        return exited(target, state, process, logOffset);
      }
      if (Instances.acceptsConnections(target.host(), target.port())) {
        return listening(target, state, waitedMs, resumed);
      }
      if (System.nanoTime() > deadline) {
        return timedOut(target, state, handle, logOffset, heartbeat);
      }
      if (System.nanoTime() >= nextBeat) {
        heartbeat.beat(
            Map.of(
                "target", target.id(),
                "phase", "starting",
                "version", state.version(),
                "pid", state.pid(),
                "waitedMs", waitedMs));
        nextBeat = System.nanoTime() + HEARTBEAT_EVERY.toNanos();
      }
      TimeUnit.NANOSECONDS.sleep(POLL.toNanos());
    }
  }

  private DeployResult listening(
      Target target, InstanceState state, long waitedMs, boolean resumed) {
    Path dir = settings.instanceDir(target.id());
    state.withStatus(InstanceState.RUNNING).write(dir);
    if (resumed) {
      logDeploy(target, state.version(), state.requestId(), "already-done", state.pid(), null);
      return new DeployResult(
          true,
          state.version(),
          true,
          String.format(
              "an earlier attempt started %s (pid %d); it listens on %s",
              state.version(), state.pid(), target.address()));
    }
    return new DeployResult(
        true,
        state.version(),
        false,
        String.format(
            "pid %d listening on %s after %d ms", state.pid(), target.address(), waitedMs));
  }

  private DeployResult exited(Target target, InstanceState state, Process process, long logOffset)
      throws InterruptedException {
    Path dir = settings.instanceDir(target.id());
    String status = "";
    if (process != null && process.waitFor(1, TimeUnit.SECONDS)) {
      status = " with status " + process.exitValue();
    }
    InstanceState.delete(dir);
    return failed(
        target,
        state.version(),
        state.requestId(),
        state.pid(),
        "exited",
        String.format(
            "%s exited%s before listening on %s%s",
            state.version(), status, target.address(), tail(dir, logOffset)));
  }

  private DeployResult timedOut(
      Target target, InstanceState state, ProcessHandle handle, long logOffset, Heartbeat heartbeat)
      throws InterruptedException {
    Path dir = settings.instanceDir(target.id());
    // Left running, it would look done to a retry of this request while it never answered.
    StopOutcome outcome = Instances.stop(handle, settings.stopTimeout(), heartbeat, target.id());
    logStop(state, outcome, "start-timeout");
    InstanceState.delete(dir);
    return failed(
        target,
        state.version(),
        state.requestId(),
        state.pid(),
        "timeout",
        String.format(
            "%s did not listen on %s within %d ms; stopped it%s",
            state.version(),
            target.address(),
            settings.startTimeout().toMillis(),
            tail(dir, logOffset)));
  }

  /**
   * What runs on {@code target} according to its state file: the version recorded there ({@code
   * null} when there is none) and whether that process is alive and still ours.
   */
  @Override
  public TargetRuntime describe(Target target) {
    check(target);
    return InstanceState.read(settings.instanceDir(target.id()))
        .map(s -> new TargetRuntime(target.id(), s.version(), Instances.ours(s).isPresent()))
        .orElseGet(() -> new TargetRuntime(target.id(), null, false));
  }

  /**
   * Stops the instance on {@code target} (SIGTERM, SIGKILL after {@code stopTimeout}) and forgets
   * it; does nothing when nothing runs there.
   */
  @Override
  public void stop(Target target) {
    check(target);
    Path dir = settings.instanceDir(target.id());
    try {
      Optional<TargetLock> lock = lock(dir, target, Heartbeat.NONE);
      if (lock.isEmpty()) {
        throw new IllegalStateException(
            "cannot stop " + target.id() + ": another deploy to it is still in progress");
      }
      try {
        stopRecorded(dir, settings.stopTimeout(), log, "stop");
      } finally {
        lock.get().close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping " + target.id(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops the instance recorded in {@code dir}, if it is alive and ours, and deletes its state
   * (kept only when the process survived SIGKILL).
   *
   * @return what was recorded and how the stop ended; empty when nothing was recorded
   */
  static Optional<StoppedInstance> stopRecorded(
      Path dir, Duration stopTimeout, DeployerLog log, String reason) throws InterruptedException {
    Optional<InstanceState> state = InstanceState.read(dir);
    if (state.isEmpty()) {
      return Optional.empty();
    }
    Optional<ProcessHandle> process = Instances.ours(state.get());
    StopOutcome outcome = null;
    if (process.isPresent()) {
      outcome = Instances.stop(process.get(), stopTimeout, Heartbeat.NONE, state.get().target());
    }
    String said =
        outcome == null ? StoppedInstance.NOT_RUNNING : outcome.name().toLowerCase(Locale.ROOT);
    log.line("stop")
        .with("target", state.get().target())
        .with("version", state.get().version())
        .with("outcome", said)
        .with("pid", state.get().pid())
        .with("reason", reason)
        .write();
    if (outcome != StopOutcome.SURVIVED) {
      InstanceState.delete(dir);
    }
    return Optional.of(
        new StoppedInstance(state.get().target(), state.get().version(), state.get().pid(), said));
  }

  private Optional<TargetLock> lock(Path dir, Target target, Heartbeat heartbeat)
      throws IOException, InterruptedException {
    // Long enough for a slow holder to stop one instance and start another.
    Duration patience = settings.stopTimeout().plus(settings.startTimeout()).plusSeconds(30);
    return TargetLock.acquire(
        dir,
        patience,
        waitedMs ->
            heartbeat.beat(
                Map.of("target", target.id(), "phase", "waiting-for-lock", "waitedMs", waitedMs)));
  }

  private void check(Target target) {
    if (target.id() == null || !SAFE_ID.matcher(target.id()).matches()) {
      throw new ConfigurationException(
          LocalProcessSettings.OWNER
              + ": target id '"
              + target.id()
              + "' cannot name a directory (letters, digits, '.', '_' and '-' only)");
    }
    if (target.port() < 1 || target.port() > 65535) {
      throw new ConfigurationException(
          LocalProcessSettings.OWNER + ": target " + target.id() + " has no valid port");
    }
  }

  private void checkFiles() {
    if (settings.usesPlaceholder("sampleAppJar") && !Files.isRegularFile(settings.sampleAppJar())) {
      throw new ConfigurationException(
          LocalProcessSettings.OWNER
              + ": setting 'sampleAppJar': no such file "
              + settings.sampleAppJar());
    }
    if (settings.usesPlaceholder("behaviorFile") && !Files.isRegularFile(settings.behaviorFile())) {
      throw new ConfigurationException(
          LocalProcessSettings.OWNER
              + ": setting 'behaviorFile': no such file "
              + settings.behaviorFile());
    }
  }

  private DeployResult failed(
      Target target, String version, String requestId, Long pid, String reason, String detail) {
    logDeploy(target, version, requestId, "failed", pid, reason);
    return new DeployResult(false, version, false, detail);
  }

  private void logDeploy(
      Target target, String version, String requestId, String outcome, Long pid, String reason) {
    log.line("deploy")
        .with("target", target.id())
        .with("version", version)
        .with("requestId", requestId)
        .with("outcome", outcome)
        .with("pid", pid)
        .with("reason", reason)
        .write();
  }

  private void logStop(InstanceState state, StopOutcome outcome, String reason) {
    log.line("stop")
        .with("target", state.target())
        .with("version", state.version())
        .with("outcome", outcome.name().toLowerCase(Locale.ROOT))
        .with("pid", state.pid())
        .with("reason", reason)
        .write();
  }

  /** The last lines the instance wrote since {@code offset}, for a failure's detail. */
  private static String tail(Path dir, long offset) {
    Path appLog = dir.resolve("app.log");
    try (RandomAccessFile file = new RandomAccessFile(appLog.toFile(), "r")) {
      long end = file.length();
      long from = Math.max(Math.max(offset, 0), end - LOG_TAIL_MAX_BYTES);
      byte[] bytes = new byte[(int) (end - from)];
      file.seek(from);
      file.readFully(bytes);
      List<String> lines =
          new String(bytes, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
      if (lines.isEmpty()) {
        return "; app.log says nothing";
      }
      List<String> last = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return "; last lines of " + appLog + ":\n" + String.join("\n", last);
    } catch (IOException e) {
      return "; cannot read " + appLog + ": " + e.getMessage();
    }
  }
}
