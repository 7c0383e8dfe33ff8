package dev.sluice.activities.deploy.ssh;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.host.ScriptDeployer;
import dev.sluice.model.ProviderRef;
import java.time.Duration;

/**
 * Deploys over SSH to real hosts: registered as type {@code ssh}, settings in {@link SshSettings};
 * what runs on the host, and how its answers are read, is shared with the other host deployers
 * ({@link ScriptDeployer}).
 *
 * <p>A deploy is one script on the host that holds a per-target lock, skips a request the host has
 * already carried out (its marker), runs the template's commands and records the outcome. A host
 * that refuses Sluice (host key, user key) fails the deploy at once; a connection that cannot be
 * made or drops is an exception, which Temporal retries — and the retry finds the host's marker or
 * waits on its lock, so a target is never deployed twice for one request.
 */
public final class SshDeployer extends ScriptDeployer {

  public static final String TYPE = "ssh";

  private final SshConnector connector;

  private SshDeployer(SshSettings settings, SshConnector connector) {
    super(SshSettings.OWNER, settings.host(), connector, Duration.ofSeconds(570));
    this.connector = connector;
  }

  /**
   * Builds the deployer a service definition names; nothing is read from the worker's files or
   * environment until the first connection.
   *
   * @throws ConfigurationException when a setting is missing or malformed
   */
  public static SshDeployer fromRef(ProviderRef ref) {
    SshSettings settings = SshSettings.from(ref);
    return new SshDeployer(settings, new SshConnector(settings));
  }

  @Override
  public void close() {
    connector.close();
  }
}
