package dev.sluice.activities.deploy.host;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.Target;
import dev.sluice.model.Versions;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@link Deployer} that runs its template's {@link RemoteScript}s on each target's host through a
 * {@link HostShell} (SSH, SSM Run Command), and reads their answers the same way whatever carried
 * them.
 *
 * <p>A deploy is one script on the host that holds a per-target lock, skips a request the host has
 * already carried out (its marker), runs the template's commands and records the outcome. A failing
 * command is a result with {@code ok == false} carrying its exit status and the end of the output,
 * bounded and redacted; a host that cannot be reached is an exception, which Temporal retries — and
 * the retry finds the host's marker or waits on its lock, so a target is never deployed twice for
 * one request.
 */
public abstract class ScriptDeployer implements Deployer, AutoCloseable {

  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MAX_LOCK_WAIT = Duration.ofMinutes(4);
  private static final Duration MAX_DEPLOY = Duration.ofSeconds(570);

  private final String owner;
  private final HostSettings settings;
  private final HostShell shell;
  private final Redaction redaction;
  private final Duration maxDeploy;

  /**
   * @param owner names the deployer in messages ({@code "ssh deployer"})
   * @param maxDeploy how long a deploy script may run, at most 570 s (the workflow gives a deploy
   *     10 minutes; a shell that needs time of its own to reach the host asks for less)
   */
  protected ScriptDeployer(
      String owner, HostSettings settings, HostShell shell, Duration maxDeploy) {
    this.owner = owner;
    this.settings = settings;
    this.shell = shell;
    this.redaction = new Redaction(settings.redact());
    this.maxDeploy = min(maxDeploy, MAX_DEPLOY);
  }

  @Override
  public DeployResult deploy(Target target, String version, String requestId, Heartbeat heartbeat) {
    check(target);
    if (!Versions.isValid(version)) {
      throw new ConfigurationException(
          owner
              + ": refusing to send version \""
              + version
              + "\" to a host: it must match "
              + Versions.PATTERN.pattern());
    }
    List<Step> steps = settings.template().deploy(target, version);
    Duration perStep = settings.commandTimeout().plusSeconds(10);
    Duration run = perStep.multipliedBy(steps.size());
    // The workflow gives one deploy 10 minutes; waiting longer than that helps nobody.
    Duration lockWait = min(run.plusSeconds(10), MAX_LOCK_WAIT);
    Duration deadline = min(lockWait.plus(run).plusSeconds(30), maxDeploy);
    String script =
        RemoteScript.deploy(
            settings.stateDir(),
            target.id(),
            requestId + " " + version,
            steps,
            settings.commandTimeout(),
            lockWait,
            settings.outputLimit());
    String where = shell.where(target);
    try (HostShell.Session session = shell.open(target, heartbeat)) {
      CommandResult result =
          session.run(script, deadline, heartbeat, "deploying " + version + " to " + target.id());
      String output = redact(result.output());
      if (result.timedOut()) {
        return new DeployResult(
            false,
            version,
            false,
            "deploy of " + version + " on " + where + " did not end in time; output: " + output);
      }
      if (result.exitStatus() == 0 && output.equals(RemoteScript.ALREADY_DONE)) {
        return new DeployResult(
            true, version, true, where + " had already deployed " + version + " for this request");
      }
      if (result.exitStatus() == 0) {
        return new DeployResult(
            true,
            version,
            false,
            "deployed " + version + " on " + where + " (" + steps.size() + " commands)\n" + output);
      }
      if (result.exitStatus() == RemoteScript.LOCKED
          && output.startsWith(RemoteScript.LOCKED_LINE)) {
        return new DeployResult(false, version, false, "locked: " + output);
      }
      return new DeployResult(
          false,
          version,
          false,
          "deploy of "
              + version
              + " on "
              + where
              + " failed (exit "
              + result.exitStatus()
              + "):\n"
              + output);
    } catch (IOException e) {
      throw new UncheckedIOException(owner + ": " + e.getMessage(), e);
    }
  }

  /**
   * Asks the host with the template's probe; an unreachable host is an exception, not unknown. A
   * target that runs something this deployer cannot name has version null.
   */
  @Override
  public TargetRuntime describe(Target target) {
    check(target);
    HostTemplate.Probe probe = settings.template().probe(target);
    try (HostShell.Session session = shell.open(target, Heartbeat.NONE)) {
      CommandResult asked = ask(session, probe.version(), target.id() + " its version");
      String first = asked.output().strip().lines().findFirst().orElse("").strip();
      // Anything that is not a version (docker's "<no value>" for a container without the label)
      // is unknown, and never sent back to a host by a restore.
      String version =
          !asked.timedOut() && asked.exitStatus() == 0 && Versions.isValid(first) ? first : null;
      boolean running = version != null;
      if (probe.running() != null) {
        CommandResult state = ask(session, probe.running(), target.id() + " whether it runs");
        running =
            !state.timedOut() && state.exitStatus() == 0 && !"false".equals(state.output().strip());
      }
      return new TargetRuntime(target.id(), version, running);
    } catch (IOException e) {
      throw new UncheckedIOException(owner + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void stop(Target target) {
    check(target);
    List<Step> steps = settings.template().stop(target);
    if (steps.isEmpty()) {
      return;
    }
    try (HostShell.Session session = shell.open(target, Heartbeat.NONE)) {
      CommandResult result =
          session.run(
              RemoteScript.sequence(steps, settings.commandTimeout()),
              settings.commandTimeout().multipliedBy(steps.size()).plusSeconds(30),
              Heartbeat.NONE,
              "stopping " + target.id());
      if (result.timedOut() || result.exitStatus() != 0) {
        throw new IllegalStateException(
            owner
                + ": stopping "
                + target.id()
                + " failed ("
                + (result.timedOut() ? "timed out" : "exit " + result.exitStatus())
                + "): "
                + redact(result.output()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(owner + ": " + e.getMessage(), e);
    }
  }

  /** Frees what the shell holds (connections, clients). */
  @Override
  public abstract void close();

  /** Runs one probe command under the probe timeout. */
  private static CommandResult ask(HostShell.Session session, List<String> command, String what)
      throws IOException {
    return session.run(
        RemoteScript.sequence(List.of(Step.of(command)), PROBE_TIMEOUT),
        PROBE_TIMEOUT,
        Heartbeat.NONE,
        "asking " + what);
  }

  private String redact(String output) {
    return redaction.apply(output, shell.secrets()).strip();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private void check(Target target) {
    if (!SAFE_ID.matcher(target.id()).matches()) {
      throw new ConfigurationException(
          owner
              + ": target id \""
              + target.id()
              + "\" cannot name a file on the host (letters, digits, '.', '_', '-')");
    }
  }
}
