package dev.sluice.model;

import java.util.List;

/**
 * A service Sluice deploys: its fleet and the adapters that act on it. A snapshot of this record is
 * part of every deployment's workflow input, so history shows exactly what was used.
 *
 * @param name service name, unique
 * @param fleet the targets, in deployment order
 * @param trafficRouter the load balancer in front of the fleet
 * @param deployer what installs and starts a version on a target
 * @param healthCheck how a target is judged healthy after a deploy
 * @param defaultStrategy strategy used when a deployment names none
 * @param rolling the service's defaults for rolling deployments; may be {@code null}
 * @param canary the service's defaults for canary deployments; may be {@code null}
 * @param blueGreen the service's defaults for blue-green deployments; may be {@code null}
 * @param analysis where metrics come from and which are judged; {@code null}: the defaults of
 *     {@link AnalysisConfig}
 * @param autoRollback the post-deploy monitoring window; {@code null}: the defaults of {@link
 *     AutoRollbackSpec}
 * @param fleetSource where the fleet is discovered ({@code ec2}, {@code elbv2}), or {@code null}
 *     when the fleet is listed by hand. A stored service with a source has no fleet of its own; a
 *     deployment's input holds the targets the source resolved to when it started, next to the
 *     source itself
 */
public record ServiceDefinition(
    String name,
    List<Target> fleet,
    ProviderRef trafficRouter,
    ProviderRef deployer,
    HealthCheckSpec healthCheck,
    String defaultStrategy,
    RollingOptions rolling,
    CanaryOptions canary,
    BlueGreenOptions blueGreen,
    AnalysisConfig analysis,
    AutoRollbackSpec autoRollback,
    ProviderRef fleetSource) {

  /** A service whose fleet is listed by hand. */
  public ServiceDefinition(
      String name,
      List<Target> fleet,
      ProviderRef trafficRouter,
      ProviderRef deployer,
      HealthCheckSpec healthCheck,
      String defaultStrategy,
      RollingOptions rolling,
      CanaryOptions canary,
      BlueGreenOptions blueGreen,
      AnalysisConfig analysis,
      AutoRollbackSpec autoRollback) {
    this(
        name,
        fleet,
        trafficRouter,
        deployer,
        healthCheck,
        defaultStrategy,
        rolling,
        canary,
        blueGreen,
        analysis,
        autoRollback,
        null);
  }

  /** A service without analysis or auto-rollback settings of its own. */
  public ServiceDefinition(
      String name,
      List<Target> fleet,
      ProviderRef trafficRouter,
      ProviderRef deployer,
      HealthCheckSpec healthCheck,
      String defaultStrategy,
      RollingOptions rolling,
      CanaryOptions canary,
      BlueGreenOptions blueGreen) {
    this(
        name,
        fleet,
        trafficRouter,
        deployer,
        healthCheck,
        defaultStrategy,
        rolling,
        canary,
        blueGreen,
        null,
        null);
  }

  /** A service with rolling defaults only. */
  public ServiceDefinition(
      String name,
      List<Target> fleet,
      ProviderRef trafficRouter,
      ProviderRef deployer,
      HealthCheckSpec healthCheck,
      String defaultStrategy,
      RollingOptions rolling) {
    this(name, fleet, trafficRouter, deployer, healthCheck, defaultStrategy, rolling, null, null);
  }

  public ServiceDefinition {
    fleet = fleet == null ? List.of() : List.copyOf(fleet);
    healthCheck = healthCheck == null ? HealthCheckSpec.DEFAULT : healthCheck;
    defaultStrategy = defaultStrategy == null ? Strategy.ROLLING.id() : defaultStrategy;
  }

  /** The analysis settings, never {@code null}. */
  public AnalysisConfig effectiveAnalysis() {
    return analysis != null ? analysis : AnalysisConfig.DEFAULT;
  }

  /** This service with other analysis and auto-rollback settings. */
  public ServiceDefinition withAnalysis(AnalysisConfig analysis, AutoRollbackSpec autoRollback) {
    return new ServiceDefinition(
        name,
        fleet,
        trafficRouter,
        deployer,
        healthCheck,
        defaultStrategy,
        rolling,
        canary,
        blueGreen,
        analysis,
        autoRollback,
        fleetSource);
  }

  /**
   * This service with another fleet: a part of this one, run by a child workflow, or the targets
   * its {@link #fleetSource} resolved to (the source is kept, so a deployment's input says where
   * its hosts came from).
   */
  public ServiceDefinition withFleet(List<Target> targets) {
    return new ServiceDefinition(
        name,
        targets,
        trafficRouter,
        deployer,
        healthCheck,
        defaultStrategy,
        rolling,
        canary,
        blueGreen,
        analysis,
        autoRollback,
        fleetSource);
  }
}
