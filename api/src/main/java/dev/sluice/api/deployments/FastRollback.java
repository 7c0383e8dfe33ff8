package dev.sluice.api.deployments;

import dev.sluice.api.services.ServiceSpec.AutoRollbackBody;
import dev.sluice.api.services.ServiceSpec.BlueGreenSpec;
import dev.sluice.api.services.ServiceSpec.RollingSpec;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;

/**
 * The deployment a rollback of a service to {@code previous} starts: with {@code fast}, an
 * emergency one that waits for nothing but the fleet's own health. Only the request changes (the
 * option overrides any deployment may give), so the workflows run it as any other.
 *
 * <p>Skipped when fast: the pause between batches, the bake between zones, canary steps and
 * analysis (the strategy is rolling), approval gates and post-deploy monitoring. Kept: drain,
 * deploy, the health check of every target and the router's own checks before it takes traffic,
 * max-unavailable and a zone's minimum in service, the restore of a target that fails. A blue-green
 * service keeps its strategy (its fleet sits in two pools a rolling deployment cannot use): no
 * approval gate and no rollback window, its smoke checks and warm-up kept.
 */
final class FastRollback {

  private FastRollback() {}

  /** No post-deploy window on any rollback: what tripped the ceilings must not roll it back in. */
  static final AutoRollbackBody NO_WINDOW = new AutoRollbackBody("0s", null, null, null);

  /** The body of the rollback deployment of {@code service} to {@code previous}. */
  static DeploymentCreate request(ServiceDefinition service, String previous, boolean fast) {
    if (!fast) {
      return new DeploymentCreate(service.name(), previous, null, null, null, null, NO_WINDOW);
    }
    if (Strategy.BLUE_GREEN.id().equals(service.defaultStrategy())) {
      return new DeploymentCreate(
          service.name(),
          previous,
          Strategy.BLUE_GREEN.id(),
          null,
          null,
          new BlueGreenSpec(null, false, null, null, null, "0s", null),
          NO_WINDOW);
    }
    RollingSpec rolling =
        new RollingSpec(batchSize(service), null, "0s", null, null, null, "0s", null);
    return new DeploymentCreate(
        service.name(), previous, Strategy.ROLLING.id(), rolling, null, null, NO_WINDOW);
  }

  /**
   * As many targets per batch as max-unavailable lets out of rotation; without it the service's
   * batch size is that limit already ({@link RollingOptions#maxUnavailable}), so it stays.
   */
  private static Object batchSize(ServiceDefinition service) {
    RollingOptions effective =
        service.rolling() == null
            ? RollingOptions.DEFAULT
            : service.rolling().orElse(RollingOptions.DEFAULT);
    IntOrPercent limit = effective.maxUnavailable();
    if (limit == null) {
      return null;
    }
    return limit.percent() ? limit.toString() : Integer.valueOf(limit.value());
  }

  /** What the deployment's started event says of it, after who asked. */
  static String note(boolean fast, String reason) {
    return (fast ? "fast rollback" : "rollback") + (reason == null ? "" : ": " + reason);
  }
}
