package dev.sluice.activities.deploy.ssm;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.host.ScriptDeployer;
import dev.sluice.model.ProviderRef;
import java.time.Duration;

/**
 * Deploys through AWS Systems Manager Run Command, for fleets without SSH: registered as type
 * {@code ssm}, settings in {@link SsmSettings}. The scripts are the {@code ssh} deployer's ({@link
 * ScriptDeployer}: the same templates, per-target lock, idempotency marker and history in {@code
 * stateDir} on the instance), sent with {@code SendCommand} of {@code AWS-RunShellScript} to the
 * target's instance and awaited by polling {@code GetCommandInvocation} ({@link SsmShell}).
 *
 * <p>A script that fails is a result with {@code ok == false}, its exit status and the end of its
 * output (bounded, redacted); a transient AWS error or a command that never reached the instance is
 * an exception Temporal retries, and the retried script finds the marker or waits on the lock, so
 * an instance is never deployed twice for one request; AWS refusing the request (access denied, an
 * instance that is not a managed node, a bad document) is a {@link ConfigurationException} with
 * AWS's message. {@code describe} and {@code stop} run through Run Command too.
 */
public final class SsmDeployer extends ScriptDeployer {

  public static final String TYPE = "ssm";

  private final SsmApi api;

  SsmDeployer(SsmSettings settings, SsmApi api) {
    // The workflow's 10 minutes for a deploy hold Run Command's delivery too.
    super(
        SsmSettings.OWNER,
        settings.host(),
        new SsmShell(settings, api),
        Duration.ofSeconds(570).minus(settings.deliveryTimeout()));
    this.api = api;
  }

  /**
   * Builds the deployer a service definition names; connects to nothing until the first deploy.
   *
   * @throws ConfigurationException when a setting is missing or malformed
   */
  public static SsmDeployer fromRef(ProviderRef ref) {
    SsmSettings settings = SsmSettings.from(ref);
    return new SsmDeployer(settings, SsmApi.of(settings.connection()));
  }

  @Override
  public void close() {
    api.close();
  }
}
