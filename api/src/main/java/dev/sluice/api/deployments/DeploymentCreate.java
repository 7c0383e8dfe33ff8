package dev.sluice.api.deployments;

import dev.sluice.api.services.ServiceSpec;
import dev.sluice.api.services.ServiceSpec.BlueGreenSpec;
import dev.sluice.api.services.ServiceSpec.CanarySpec;
import dev.sluice.api.services.ServiceSpec.RollingSpec;

/**
 * Body of {@code POST /api/v1/deployments}.
 *
 * @param strategy defaults to the service's default strategy
 * @param overrides rolling settings for this deployment only (a canary's promotion of its stable
 *     servers uses them too)
 * @param canary canary settings for this deployment only
 * @param blueGreen blue-green settings for this deployment only
 * @param autoRollback post-deploy monitoring for this deployment only (over the service's)
 */
public record DeploymentCreate(
    String service,
    String version,
    String strategy,
    RollingSpec overrides,
    CanarySpec canary,
    BlueGreenSpec blueGreen,
    ServiceSpec.AutoRollbackBody autoRollback) {

  public DeploymentCreate(String service, String version, String strategy, RollingSpec overrides) {
    this(service, version, strategy, overrides, null, null, null);
  }
}
