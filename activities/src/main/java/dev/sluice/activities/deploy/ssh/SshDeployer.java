package dev.sluice.activities.deploy.ssh;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.ssh.SshConnector.CommandResult;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.model.Versions;
import dev.sluice.ports.Deployer;
import dev.sluice.ports.Heartbeat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.sshd.client.session.ClientSession;

/**
 * Deploys over SSH to real hosts: registered as type {@code ssh}, settings in {@link SshSettings},
 * what runs on the host in {@link HostTemplate} and {@link RemoteScript}.
 *
 * <p>A deploy is one script on the host that holds a per-target lock, skips a request the host has
 * already carried out (its marker), runs the template's commands and records the outcome. A host
 * that refuses Sluice (host key, user key) fails the deploy at once; a connection that cannot be
 * made or drops is an exception, which Temporal retries — and the retry finds the host's marker or
 * waits on its lock, so a target is never deployed twice for one request.
 */
public final class SshDeployer implements Deployer, AutoCloseable {

  public static final String TYPE = "ssh";

  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MAX_LOCK_WAIT = Duration.ofMinutes(4);
  private static final Duration MAX_DEPLOY = Duration.ofSeconds(570);

  private final SshSettings settings;
  private final SshConnector connector;
  private final Redaction redaction;

  private SshDeployer(SshSettings settings) {
    this.settings = settings;
    this.connector = new SshConnector(settings);
    this.redaction = new Redaction(settings.redact());
  }

  /**
   * Builds the deployer a service definition names; nothing is read from the worker's files or
   * environment until the first connection.
   *
   * @throws ConfigurationException when a setting is missing or malformed
   */
  public static SshDeployer fromRef(ProviderRef ref) {
    return new SshDeployer(SshSettings.from(ref));
  }

  @Override
  public DeployResult deploy(Target target, String version, String requestId, Heartbeat heartbeat) {
    check(target);
    if (!Versions.isValid(version)) {
      throw new ConfigurationException(
          SshSettings.OWNER
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
    Duration deadline = min(lockWait.plus(run).plusSeconds(30), MAX_DEPLOY);
    String script =
        RemoteScript.deploy(
            settings.stateDir(),
            target.id(),
            requestId + " " + version,
            steps,
            settings.commandTimeout(),
            lockWait,
            settings.outputLimit());
    String where = settings.user() + "@" + target.host() + ":" + settings.port();
    try (ClientSession session = connector.open(target, heartbeat)) {
      CommandResult result =
          connector.run(
              session, script, deadline, heartbeat, "deploying " + version + " to " + target.id());
      String output = redaction.apply(result.output(), connector.secrets()).strip();
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
      throw new UncheckedIOException(SshSettings.OWNER + ": " + e.getMessage(), e);
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
    try (ClientSession session = connector.open(target, Heartbeat.NONE)) {
      CommandResult asked = ask(session, probe.version(), target.id() + " its version");
      String first = asked.output().strip().lines().findFirst().orElse("").strip();
      // Anything that is not a version (docker's "<no value>" for a container without the label)
      // is unknown, and never sent back to a host by a restore.
      String version = asked.exitStatus() == 0 && Versions.isValid(first) ? first : null;
      boolean running = version != null;
      if (probe.running() != null) {
        CommandResult state = ask(session, probe.running(), target.id() + " whether it runs");
        running = state.exitStatus() == 0 && !"false".equals(state.output().strip());
      }
      return new TargetRuntime(target.id(), version, running);
    } catch (IOException e) {
      throw new UncheckedIOException(SshSettings.OWNER + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void stop(Target target) {
    check(target);
    List<Step> steps = settings.template().stop(target);
    if (steps.isEmpty()) {
      return;
    }
    try (ClientSession session = connector.open(target, Heartbeat.NONE)) {
      CommandResult result =
          connector.run(
              session,
              RemoteScript.sequence(steps, settings.commandTimeout()),
              settings.commandTimeout().multipliedBy(steps.size()).plusSeconds(30),
              Heartbeat.NONE,
              "stopping " + target.id());
      if (result.timedOut() || result.exitStatus() != 0) {
        throw new IllegalStateException(
            SshSettings.OWNER
                + ": stopping "
                + target.id()
                + " failed ("
                + (result.timedOut() ? "timed out" : "exit " + result.exitStatus())
                + "): "
                + redaction.apply(result.output(), connector.secrets()).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(SshSettings.OWNER + ": " + e.getMessage(), e);
    }
  }

  /** Runs one probe command under the probe timeout. */
  private CommandResult ask(ClientSession session, List<String> command, String what)
      throws IOException {
    return connector.run(
        session,
        RemoteScript.sequence(List.of(Step.of(command)), PROBE_TIMEOUT),
        PROBE_TIMEOUT,
        Heartbeat.NONE,
        "asking " + what);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void check(Target target) {
    if (!SAFE_ID.matcher(target.id()).matches()) {
      throw new ConfigurationException(
          SshSettings.OWNER
              + ": target id \""
              + target.id()
              + "\" cannot name a file on the host (letters, digits, '.', '_', '-')");
    }
  }

  @Override
  public void close() {
    connector.close();
  }
}
