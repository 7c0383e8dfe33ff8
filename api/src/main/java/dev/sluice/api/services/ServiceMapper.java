package dev.sluice.api.services;

import dev.sluice.activities.ProviderRegistry;
import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.AutoRollbackBody;
import dev.sluice.api.services.ServiceSpec.HealthCheckSpecBody;
import dev.sluice.api.services.ServiceSpec.TargetSpec;
import dev.sluice.api.services.ServiceSpec.ThresholdBody;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.workflows.Strategies;
import dev.sluice.workflows.StrategyRules;
import dev.sluice.workflows.rolling.RollingRules;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns the wire form of a service into the model, rejecting anything invalid with every problem
 * named, and back. Provider types are checked against the registry, so a typo fails at PUT time,
 * not in the middle of a deployment.
 */
public final class ServiceMapper {

  /** Service names: DNS-label-like, so they fit in URLs, workflow ids and HAProxy names. */
  public static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private final ProviderRegistry providers;
  private final HealthCheckSpecs healthChecks;
  private final AnalysisMapping analysisMapping;
  private final FleetSources fleetSources;

  public ServiceMapper(ProviderRegistry providers) {
    this.providers = providers;
    this.fleetSources = new FleetSources(providers);
    this.healthChecks = new HealthCheckSpecs(providers);
    this.analysisMapping = new AnalysisMapping(providers);
  }

  public ServiceDefinition toModel(String name, ServiceSpec spec) {
    Problems problems = new Problems();
    if (!SERVICE_NAME.matcher(name).matches()) {
      problems.add(
          "name", "must match " + SERVICE_NAME.pattern() + ", got " + Problems.quote(name));
    }
    if (spec == null) {
      problems.add("body", "a service definition is required");
      problems.throwIfAny();
    }
    ProviderRef fleetSource = null;
    List<Target> fleet;
    if (spec.fleetSource() != null) {
      if (spec.fleet() != null) {
        problems.add(
            "fleetSource",
            "give either fleet (the targets) or fleetSource (where to find them), not both");
      }
      fleetSource =
          ProviderSpecs.provider(
              "fleetSource", spec.fleetSource(), providers.fleetSourceTypes(), problems);
      // The source's settings are read now; it is asked for targets only when a deployment starts.
      ProviderSpecs.checkSettings(
          "fleetSource.settings", fleetSource, providers::fleetSource, problems);
      fleet = List.of();
    } else {
      fleet = FleetSpecs.fleet(spec.fleet(), problems);
    }
    // A discovered fleet is checked against the strategies when a deployment resolves it.
    boolean fleetKnown = spec.fleetSource() == null;
    ProviderRef router =
        ProviderSpecs.provider(
            "trafficRouter", spec.trafficRouter(), providers.routerTypes(), problems);
    ProviderRef deployer =
        ProviderSpecs.provider("deployer", spec.deployer(), providers.deployerTypes(), problems);
    // Building an adapter reads and checks its settings (no I/O): a missing socket or jar is a
    // 422 now rather than a failed deployment later.
    ProviderSpecs.check("trafficRouter.settings", router, providers::router, problems);
    ProviderSpecs.check("deployer.settings", deployer, providers::deployer, problems);
    HealthCheckSpec health = healthChecks.healthCheck(spec.healthCheck(), problems);
    String strategy = spec.defaultStrategy();
    Optional<StrategyRules> rules = strategy == null ? Optional.empty() : Strategies.byId(strategy);
    if (strategy != null && rules.isEmpty()) {
      problems.add(
          "defaultStrategy", "unknown strategy \"" + strategy + "\"; known: " + Strategies.ids());
    }
    RollingOptions rolling =
        StrategyOptions.rolling("rolling", spec.rolling(), fleet.size(), problems);
    CanaryOptions canary = StrategyOptions.canary("canary", spec.canary(), fleet.size(), problems);
    BlueGreenOptions blueGreen = StrategyOptions.blueGreen("blueGreen", spec.blueGreen(), problems);
    if (fleetKnown) {
      rules.ifPresent(
          r -> r.fleetProblems(name, fleet).forEach(p -> problems.add("defaultStrategy", p)));
    }
    if (rolling != null && fleetKnown) {
      RollingRules.zoneProblems(fleet, rolling.orElse(RollingOptions.DEFAULT))
          .forEach(p -> problems.add("rolling.byZone", p));
    }
    AnalysisConfig analysis = analysisMapping.analysis(spec.analysis(), router, problems);
    AutoRollbackSpec autoRollback =
        autoRollback(
            "autoRollback",
            spec.autoRollback(),
            analysis == null ? AnalysisConfig.DEFAULT : analysis,
            router,
            problems);
    problems.throwIfAny();
    return new ServiceDefinition(
        name,
        fleet,
        router,
        deployer,
        health,
        strategy,
        rolling,
        canary,
        blueGreen,
        analysis,
        autoRollback,
        fleetSource);
  }

  /**
   * {@link FleetSources#resolve}: the service with the targets its source resolves to now, or as it
   * is when it lists its fleet.
   */
  public ServiceDefinition resolveFleet(ServiceDefinition service) {
    return fleetSources.resolve(service);
  }

  public ServiceSpec toSpec(ServiceDefinition service) {
    List<TargetSpec> fleet =
        service.fleet().stream()
            .map(t -> new TargetSpec(t.id(), t.host(), t.port(), t.pool(), t.zone()))
            .toList();
    HealthCheckSpec h = service.healthCheck();
    return new ServiceSpec(
        // As given: a stored service with a source has no fleet of its own.
        service.fleetSource() == null ? fleet : null,
        ProviderSpecs.spec(service.fleetSource()),
        ProviderSpecs.spec(service.trafficRouter()),
        ProviderSpecs.spec(service.deployer()),
        new HealthCheckSpecBody(
            h.type(),
            h.path(),
            h.expectedStatus(),
            h.jsonField(),
            h.jsonValue(),
            h.consecutiveSuccesses(),
            text(h.interval()),
            text(h.timeout()),
            text(h.requestTimeout())),
        service.defaultStrategy(),
        StrategyOptions.rollingSpec(service.rolling()),
        StrategyOptions.canarySpec(service.canary()),
        StrategyOptions.blueGreenSpec(service.blueGreen()),
        AnalysisMapping.analysisSpec(service.analysis()),
        AnalysisMapping.autoRollbackSpec(service.autoRollback()));
  }

  /** Post-deploy monitoring settings from the wire: {@link AnalysisMapping#autoRollback}. */
  public AutoRollbackSpec autoRollback(
      String field,
      AutoRollbackBody body,
      AnalysisConfig analysis,
      ProviderRef router,
      Problems problems) {
    return analysisMapping.autoRollback(field, body, analysis, router, problems);
  }

  /** Ceilings for callers outside this package: {@link AnalysisMapping#checkedCeilings}. */
  public static List<AutoRollbackSpec.Threshold> checkedCeilings(
      String field, List<ThresholdBody> given, AnalysisConfig analysis) {
    return AnalysisMapping.checkedCeilings(field, given, analysis);
  }

  /** {@code 10s}, {@code 1500ms}, {@code 2m}: the shortest exact form. */
  public static String text(Duration d) {
    if (d == null) {
      return null;
    }
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
