package dev.sluice.api.core;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.analysis.JudgeSpecs;
import dev.sluice.api.api.ServiceSpec;
import dev.sluice.api.api.ServiceSpec.AnalysisBody;
import dev.sluice.api.api.ServiceSpec.AnalysisSpecBody;
import dev.sluice.api.api.ServiceSpec.AutoRollbackBody;
import dev.sluice.api.api.ServiceSpec.BlueGreenSpec;
import dev.sluice.api.api.ServiceSpec.CanarySpec;
import dev.sluice.api.api.ServiceSpec.HealthCheckSpecBody;
import dev.sluice.api.api.ServiceSpec.PauseSpec;
import dev.sluice.api.api.ServiceSpec.ProviderSpec;
import dev.sluice.api.api.ServiceSpec.RollingSpec;
import dev.sluice.api.api.ServiceSpec.SmokeSpec;
import dev.sluice.api.api.ServiceSpec.StepSpec;
import dev.sluice.api.api.ServiceSpec.TargetSpec;
import dev.sluice.api.api.ServiceSpec.ThresholdBody;
import dev.sluice.api.api.ServiceSpec.WarmUpSpec;
import dev.sluice.judge.JudgeInputException;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.MetricCheck;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.SmokeCheck;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.MetricProvider.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the wire form of a service into the model, rejecting anything invalid with every problem
 * named, and back. Provider types are checked against the registry, so a typo fails at PUT time,
 * not in the middle of a deployment.
 */
public final class ServiceMapper {

  /** Service names: DNS-label-like, so they fit in URLs, workflow ids and HAProxy names. */
  public static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** Target ids are router server names too: HAProxy accepts letters, digits and {@code -_.:}. */
  static final Pattern TARGET_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final ProviderRegistry providers;

  public ServiceMapper(ProviderRegistry providers) {
    this.providers = providers;
  }

  public ServiceDefinition toModel(String name, ServiceSpec spec) {
    Problems problems = new Problems();
    if (!SERVICE_NAME.matcher(name).matches()) {
      problems.add("name", "must match " + SERVICE_NAME.pattern() + ", got \"" + name + "\"");
    }
    if (spec == null) {
      problems.add("body", "a service definition is required");
      problems.throwIfAny();
    }
    List<Target> fleet = fleet(spec.fleet(), problems);
    ProviderRef router =
        provider("trafficRouter", spec.trafficRouter(), providers.routerTypes(), problems);
    ProviderRef deployer =
        provider("deployer", spec.deployer(), providers.deployerTypes(), problems);
    // Building an adapter reads and checks its settings (no I/O): a missing socket or jar is a
    // 422 now rather than a failed deployment later.
    check("trafficRouter.settings", router, providers::router, problems);
    check("deployer.settings", deployer, providers::deployer, problems);
    HealthCheckSpec health = healthCheck(spec.healthCheck(), problems);
    String strategy = spec.defaultStrategy();
    if (strategy != null && Strategy.byId(strategy).isEmpty()) {
      problems.add(
          "defaultStrategy", "unknown strategy \"" + strategy + "\"; known: " + strategies());
    }
    RollingOptions rolling = rolling("rolling", spec.rolling(), fleet.size(), problems);
    CanaryOptions canary = canary("canary", spec.canary(), fleet.size(), problems);
    BlueGreenOptions blueGreen = blueGreen("blueGreen", spec.blueGreen(), problems);
    if ("blue-green".equals(strategy)) {
      String pools = poolProblem(fleet);
      if (pools != null) {
        problems.add("defaultStrategy", pools);
      }
    }
    if ("canary".equals(strategy) && fleet.size() < 2) {
      problems.add(
          "defaultStrategy", "a canary needs at least two targets: a canary and a stable one");
    }
    AnalysisConfig analysis = analysis(spec.analysis(), router, problems);
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
        autoRollback);
  }

  /** Units a ceiling may be given in. */
  static final Set<String> UNITS = Set.of("ratio", "ms", "s");

  /**
   * Post-deploy monitoring settings from the wire, every field set (the seed's defaults for what is
   * not given); null when none given. Ceilings must name metrics the service has, and a watched
   * service needs a metric provider.
   */
  AutoRollbackSpec autoRollback(
      String field,
      AutoRollbackBody body,
      AnalysisConfig analysis,
      ProviderRef router,
      Problems problems) {
    if (body == null) {
      return null;
    }
    Duration window = problems.durationOrZero(field + ".window", body.window());
    Duration interval = problems.duration(field + ".interval", body.interval());
    if (body.minRequests() != null && body.minRequests() < 1) {
      problems.add(field + ".minRequests", "must be at least 1");
    }
    List<AutoRollbackSpec.Threshold> thresholds =
        body.thresholds() == null
            ? null
            : ceilings(field + ".thresholds", body.thresholds(), analysis, problems);
    // Stored as given (a GET shows what was PUT); the defaults apply when a deployment starts.
    AutoRollbackSpec given = new AutoRollbackSpec(window, interval, thresholds, body.minRequests());
    AutoRollbackSpec spec = given.orElse(AutoRollbackSpec.DEFAULT);
    if (spec.enabled() && spec.interval().compareTo(spec.window()) > 0) {
      problems.add(
          field + (interval != null ? ".interval" : ".window"),
          "the interval ("
              + text(spec.interval())
              + ") must not be longer than the window ("
              + text(spec.window())
              + ")");
    }
    if (spec.enabled() && providers.metricProviderFor(analysis, router) == null) {
      problems.add(
          field,
          "needs a metric provider: name one in analysis.provider (the traffic router"
              + (router == null ? " is missing" : ", " + router.type() + ", has no default one")
              + ")");
    }
    return given;
  }

  /**
   * Ceilings on a service's metrics, checked: each names a metric the service has, in a unit that
   * fits its type (a ratio's at most 1), with a quantile in (0, 1). Used by the post-deploy
   * monitoring and by flag-rollout gates.
   */
  static List<AutoRollbackSpec.Threshold> ceilings(
      String field, List<ThresholdBody> given, AnalysisConfig analysis, Problems problems) {
    List<String> metricNames = analysis.effectiveMetrics().stream().map(MetricCheck::name).toList();
    List<AutoRollbackSpec.Threshold> thresholds = new ArrayList<>();
    if (given.isEmpty()) {
      problems.add(field, "must list at least one ceiling, or be left out");
    }
    for (int i = 0; i < given.size(); i++) {
      String at = field + "[" + i + "]";
      ThresholdBody t = given.get(i);
      if (t == null) {
        problems.add(at, "must be an object");
        continue;
      }
      boolean ok = true;
      if (t.metric() == null || !metricNames.contains(t.metric())) {
        problems.add(
            at + ".metric",
            (t.metric() == null ? "is required" : "\"" + t.metric() + "\" is not a metric")
                + "; the service's metrics: "
                + metricNames);
        ok = false;
      }
      if (t.max() == null || t.max().isNaN() || t.max() < 0) {
        problems.add(at + ".max", "must be a number, 0 or more");
        ok = false;
      }
      if (t.unit() != null && !UNITS.contains(t.unit())) {
        problems.add(at + ".unit", "must be one of ratio, ms, s; got \"" + t.unit() + "\"");
        ok = false;
      }
      MetricCheck metric =
          ok
              ? analysis.effectiveMetrics().stream()
                  .filter(m -> m.name().equals(t.metric()))
                  .findFirst()
                  .orElseThrow()
              : null;
      boolean ratioMetric = metric != null && MetricCheck.RATIO.equals(metric.type());
      if (ok && ratioMetric && t.unit() != null && !"ratio".equals(t.unit())) {
        problems.add(at + ".unit", t.metric() + " is a ratio: its ceiling's unit is ratio");
        ok = false;
      } else if (ok && !ratioMetric && "ratio".equals(t.unit())) {
        problems.add(
            at + ".unit",
            t.metric() + " is a " + metric.type() + " metric: its ceiling is in ms or s");
        ok = false;
      }
      if (ok && (ratioMetric || "ratio".equals(t.unit())) && t.max() > 1) {
        problems.add(at + ".max", "a ratio ceiling is at most 1 (0.05 is 5%)");
        ok = false;
      }
      if (t.quantile() != null && !(t.quantile() > 0 && t.quantile() < 1)) {
        problems.add(at + ".quantile", "must be above 0 and below 1");
        ok = false;
      }
      if (ok) {
        thresholds.add(new AutoRollbackSpec.Threshold(t.metric(), t.max(), t.unit(), t.quantile()));
      }
    }
    return thresholds;
  }

  /** {@link #ceilings} for callers outside this package: the ceilings, or a 400 naming fields. */
  public static List<AutoRollbackSpec.Threshold> checkedCeilings(
      String field, List<ThresholdBody> given, AnalysisConfig analysis) {
    Problems problems = new Problems();
    List<AutoRollbackSpec.Threshold> ceilings = ceilings(field, given, analysis, problems);
    problems.throwIfAnyAs400();
    return ceilings;
  }

  static AutoRollbackBody autoRollbackSpec(AutoRollbackSpec spec) {
    if (spec == null) {
      return null;
    }
    return new AutoRollbackBody(
        text(spec.window()),
        text(spec.interval()),
        spec.thresholds() == null
            ? null
            : spec.thresholds().stream()
                .map(t -> new ThresholdBody(t.metric(), t.max(), t.unit(), t.quantile()))
                .toList(),
        spec.minRequests());
  }

  /**
   * The analysis settings, checked as far as can be without I/O: a known provider whose settings
   * build, metrics the judge accepts, a provider to ask at all.
   */
  private AnalysisConfig analysis(AnalysisSpecBody body, ProviderRef router, Problems problems) {
    if (body == null) {
      return null;
    }
    ProviderRef provider = null;
    if (body.provider() != null) {
      provider = provider("analysis.provider", body.provider(), providers.metricTypes(), problems);
      check("analysis.provider.settings", provider, providers::metrics, problems);
    }
    if (body.metrics() != null) {
      for (int i = 0; i < body.metrics().size(); i++) {
        if (body.metrics().get(i) == null) {
          problems.add("analysis.metrics[" + i + "]", "must be an object");
          return null;
        }
      }
    }
    AnalysisConfig config = new AnalysisConfig(provider, body.metrics(), body.alpha());
    try {
      JudgeSpecs.of(config);
    } catch (JudgeInputException e) {
      e.problems().forEach(p -> problems.add("analysis." + p.field(), p.message()));
    }
    ProviderRef effective = providers.metricProviderFor(config, router);
    MetricProvider metrics = effective == null ? null : built(effective);
    if (metrics != null && body.metrics() != null) {
      for (int i = 0; i < body.metrics().size(); i++) {
        String problem = metrics.cannotServe(Kind.ofType(body.metrics().get(i).type()));
        if (problem != null) {
          problems.add("analysis.metrics[" + i + "].type", problem);
        }
      }
    }
    if (metrics != null && problems.isEmpty()) {
      servable(metrics, config, body.metrics() != null, problems);
    }
    if (body.provider() == null && effective == null && router != null) {
      problems.add(
          "analysis.provider",
          "is required: the traffic router is "
              + router.type()
              + ", whose counters Sluice can't read");
    }
    return config;
  }

  /**
   * Every metric the analysis will ask for can be served by its provider (a Prometheus provider has
   * a query of the right shape for each), found now rather than when an analysis first runs.
   */
  private static void servable(
      MetricProvider provider, AnalysisConfig config, boolean metricsGiven, Problems problems) {
    List<MetricCheck> metrics = config.effectiveMetrics();
    for (int i = 0; i < metrics.size(); i++) {
      MetricCheck metric = metrics.get(i);
      String problem = provider.cannotServe(metric.name(), Kind.ofType(metric.type()));
      if (problem != null) {
        problems.add(
            metricsGiven ? "analysis.metrics[" + i + "]" : "analysis.provider.settings.queries",
            problem + (metricsGiven ? "" : " (the default metrics: " + metricNames(metrics) + ")"));
      }
    }
  }

  private static String metricNames(List<MetricCheck> metrics) {
    return String.join(", ", metrics.stream().map(MetricCheck::name).toList());
  }

  /**
   * The metric provider {@code ref} names, built (reading its settings, no I/O) so it can be asked
   * what it cannot serve; {@code null} when its settings are broken, which is reported where they
   * are checked.
   */
  private MetricProvider built(ProviderRef ref) {
    try {
      return providers.metrics(ref);
    } catch (ConfigurationException e) {
      return null;
    }
  }

  private static AnalysisSpecBody analysisSpec(AnalysisConfig config) {
    if (config == null) {
      return null;
    }
    return new AnalysisSpecBody(spec(config.provider()), config.metrics(), config.alpha());
  }

  private static List<Target> fleet(List<TargetSpec> specs, Problems problems) {
    List<Target> fleet = new ArrayList<>();
    if (specs == null || specs.isEmpty()) {
      problems.add("fleet", "must list at least one target");
      return fleet;
    }
    Set<String> ids = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      String at = "fleet[" + i + "]";
      TargetSpec t = specs.get(i);
      if (t == null) {
        problems.add(at, "must be an object");
        continue;
      }
      boolean ok = true;
      if (t.id() == null || !TARGET_ID.matcher(t.id()).matches()) {
        problems.add(at + ".id", "must match " + TARGET_ID.pattern());
        ok = false;
      } else if (!ids.add(t.id())) {
        problems.add(at + ".id", "duplicate target id \"" + t.id() + "\"");
        ok = false;
      }
      if (t.host() == null || t.host().isBlank()) {
        problems.add(at + ".host", "is required");
        ok = false;
      }
      if (t.port() == null || t.port() < 1 || t.port() > 65535) {
        problems.add(at + ".port", "must be between 1 and 65535");
        ok = false;
      }
      if (ok && !addresses.add(t.host() + ":" + t.port())) {
        problems.add(at, "another target already uses " + t.host() + ":" + t.port());
      }
      if (ok) {
        fleet.add(new Target(t.id(), t.host(), t.port(), t.pool()));
      }
    }
    return fleet;
  }

  private static void check(
      String field,
      ProviderRef ref,
      java.util.function.Function<ProviderRef, ?> build,
      Problems problems) {
    if (ref == null) {
      return;
    }
    try {
      build.apply(ref);
    } catch (ConfigurationException e) {
      problems.add(field, e.getMessage());
    }
  }

  private static ProviderRef provider(
      String field, ProviderSpec spec, Set<String> known, Problems problems) {
    if (spec == null || spec.type() == null) {
      problems.add(field + ".type", "is required; known types: " + known);
      return null;
    }
    if (!known.contains(spec.type())) {
      problems.add(field + ".type", "unknown type \"" + spec.type() + "\"; known types: " + known);
      return null;
    }
    if (spec.settings() != null) {
      for (var e : spec.settings().entrySet()) {
        if (e.getValue() == null) {
          problems.add(field + ".settings." + e.getKey(), "must not be null; leave it out instead");
          return null;
        }
      }
    }
    return new ProviderRef(spec.type(), spec.settings());
  }

  private HealthCheckSpec healthCheck(HealthCheckSpecBody body, Problems problems) {
    if (body == null) {
      return HealthCheckSpec.DEFAULT;
    }
    if (body.type() != null && !providers.healthCheckTypes().contains(body.type())) {
      problems.add(
          "healthCheck.type",
          "unknown type \"" + body.type() + "\"; known types: " + providers.healthCheckTypes());
    }
    if (body.path() != null && !body.path().startsWith("/")) {
      problems.add("healthCheck.path", "must start with /");
    }
    if (body.expectedStatus() != null
        && (body.expectedStatus() < 100 || body.expectedStatus() > 599)) {
      problems.add("healthCheck.expectedStatus", "must be an HTTP status between 100 and 599");
    }
    if (body.consecutiveSuccesses() != null && body.consecutiveSuccesses() < 1) {
      problems.add("healthCheck.consecutiveSuccesses", "must be at least 1");
    }
    if (body.jsonValue() != null && body.jsonField() == null) {
      problems.add("healthCheck.jsonValue", "needs healthCheck.jsonField");
    }
    Duration interval = problems.duration("healthCheck.interval", body.interval());
    Duration timeout = problems.duration("healthCheck.timeout", body.timeout());
    Duration requestTimeout =
        problems.duration("healthCheck.requestTimeout", body.requestTimeout());
    return new HealthCheckSpec(
        body.type(),
        body.path(),
        body.expectedStatus(),
        body.jsonField(),
        body.jsonValue(),
        body.consecutiveSuccesses(),
        interval,
        timeout,
        requestTimeout);
  }

  /**
   * Rolling settings from the wire; {@code null} when none given. A batch size or max-unavailable
   * count larger than the fleet is refused: it is almost always a mistake, not a wish.
   */
  static RollingOptions rolling(String field, RollingSpec spec, int fleetSize, Problems problems) {
    if (spec == null) {
      return null;
    }
    var batch = problems.quantity(field + ".batchSize", spec.batchSize());
    var maxUnavailable = problems.quantity(field + ".maxUnavailable", spec.maxUnavailable());
    if (batch != null && !batch.percent() && fleetSize > 0 && batch.value() > fleetSize) {
      problems.add(
          field + ".batchSize",
          "is " + batch.value() + " but the fleet has only " + fleetSize + " targets");
    }
    if (maxUnavailable != null
        && !maxUnavailable.percent()
        && fleetSize > 0
        && maxUnavailable.value() > fleetSize) {
      problems.add(
          field + ".maxUnavailable",
          "is " + maxUnavailable.value() + " but the fleet has only " + fleetSize + " targets");
    }
    return new RollingOptions(
        batch,
        maxUnavailable,
        problems.durationOrZero(field + ".pauseBetweenBatches", spec.pauseBetweenBatches()),
        problems.durationOrZero(field + ".drainTimeout", spec.drainTimeout()),
        spec.rollbackOnFailure());
  }

  public ServiceSpec toSpec(ServiceDefinition service) {
    List<TargetSpec> fleet =
        service.fleet().stream()
            .map(t -> new TargetSpec(t.id(), t.host(), t.port(), t.pool()))
            .toList();
    HealthCheckSpec h = service.healthCheck();
    return new ServiceSpec(
        fleet,
        spec(service.trafficRouter()),
        spec(service.deployer()),
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
        rollingSpec(service.rolling()),
        canarySpec(service.canary()),
        blueGreenSpec(service.blueGreen()),
        analysisSpec(service.analysis()),
        autoRollbackSpec(service.autoRollback()));
  }

  /**
   * Why the fleet cannot do blue-green, or null: every target needs a pool, and there must be
   * exactly two pools.
   */
  public static String poolProblem(List<Target> fleet) {
    java.util.Set<String> pools = new java.util.TreeSet<>();
    for (Target target : fleet) {
      if (target.pool() == null || target.pool().isBlank()) {
        return "blue-green needs a pool on every target; " + target.id() + " has none";
      }
      pools.add(target.pool());
    }
    return pools.size() == 2 ? null : "blue-green needs exactly two pools, the fleet has " + pools;
  }

  /** Blue-green settings from the wire; {@code null} when none given. */
  static BlueGreenOptions blueGreen(String field, BlueGreenSpec spec, Problems problems) {
    if (spec == null) {
      return null;
    }
    List<SmokeCheck> smoke = null;
    if (spec.smokeChecks() != null) {
      smoke = new ArrayList<>();
      for (int i = 0; i < spec.smokeChecks().size(); i++) {
        SmokeSpec s = spec.smokeChecks().get(i);
        String at = field + ".smokeChecks[" + i + "]";
        if (s == null || s.path() == null || !s.path().startsWith("/")) {
          problems.add(at + ".path", "must start with /");
          continue;
        }
        if (s.expectedStatus() != null && (s.expectedStatus() < 100 || s.expectedStatus() > 599)) {
          problems.add(at + ".expectedStatus", "must be an HTTP status between 100 and 599");
        }
        smoke.add(new SmokeCheck(s.path(), s.expectedStatus(), s.jsonField(), s.jsonValue()));
      }
    }
    BlueGreenOptions.WarmUp warmUp = null;
    if (spec.warmUpAnalysis() != null) {
      WarmUpSpec w = spec.warmUpAnalysis();
      if (w.maxErrorRate() != null && !(w.maxErrorRate() > 0 && w.maxErrorRate() <= 1)) {
        problems.add(
            field + ".warmUpAnalysis.maxErrorRate",
            "must be above 0 (the warm-up fails at or above it) and at most 1");
      }
      if (w.maxLatencyMs() != null && w.maxLatencyMs() < 1) {
        problems.add(field + ".warmUpAnalysis.maxLatencyMs", "must be at least 1");
      }
      if (w.minRequests() != null && w.minRequests() < 1) {
        problems.add(field + ".warmUpAnalysis.minRequests", "must be at least 1");
      }
      BlueGreenOptions.WarmUp d = BlueGreenOptions.WarmUp.DEFAULT;
      warmUp =
          new BlueGreenOptions.WarmUp(
              w.maxErrorRate() != null ? w.maxErrorRate() : d.maxErrorRate(),
              w.maxLatencyMs() != null ? w.maxLatencyMs() : d.maxLatencyMs(),
              w.minRequests() != null ? w.minRequests() : d.minRequests());
    }
    return new BlueGreenOptions(
        smoke,
        spec.manualApproval(),
        problems.duration(field + ".autoPromoteAfter", spec.autoPromoteAfter()),
        problems.duration(field + ".warmUp", spec.warmUp()),
        warmUp,
        problems.durationOrZero(field + ".rollbackWindow", spec.rollbackWindow()),
        spec.stopOldPool());
  }

  static BlueGreenSpec blueGreenSpec(BlueGreenOptions options) {
    if (options == null) {
      return null;
    }
    return new BlueGreenSpec(
        options.smokeChecks() == null
            ? null
            : options.smokeChecks().stream()
                .map(c -> new SmokeSpec(c.path(), c.expectedStatus(), c.jsonField(), c.jsonValue()))
                .toList(),
        options.manualApproval(),
        text(options.autoPromoteAfter()),
        text(options.warmUp()),
        options.warmUpAnalysis() == null
            ? null
            : new WarmUpSpec(
                options.warmUpAnalysis().maxErrorRate(),
                options.warmUpAnalysis().maxLatencyMs(),
                options.warmUpAnalysis().minRequests()),
        text(options.rollbackWindow()),
        options.stopOldPool());
  }

  /** Canary settings from the wire; {@code null} when none given. */
  static CanaryOptions canary(String field, CanarySpec spec, int fleetSize, Problems problems) {
    if (spec == null) {
      return null;
    }
    IntOrPercent count = problems.quantity(field + ".canaryCount", spec.canaryCount());
    if (count != null && !count.percent() && fleetSize > 0 && count.value() >= fleetSize) {
      problems.add(
          field + ".canaryCount",
          "is "
              + count.value()
              + " but the fleet has "
              + fleetSize
              + " targets: at least one must stay stable");
    }
    List<CanaryStep> steps = null;
    if (spec.steps() != null) {
      steps = new ArrayList<>();
      if (spec.steps().isEmpty() || spec.steps().size() > 100) {
        problems.add(field + ".steps", "must list 1 to 100 steps");
      }
      for (int i = 0; i < spec.steps().size(); i++) {
        CanaryStep step = step(field + ".steps[" + i + "]", spec.steps().get(i), problems);
        if (step != null) {
          steps.add(step);
        }
      }
    }
    return new CanaryOptions(steps, count);
  }

  private static CanaryStep step(String at, StepSpec spec, Problems problems) {
    if (spec == null) {
      problems.add(at, "must be an object");
      return null;
    }
    int kinds =
        (spec.setWeight() != null ? 1 : 0)
            + (spec.pause() != null ? 1 : 0)
            + (spec.analysis() != null ? 1 : 0);
    if (kinds != 1) {
      problems.add(at, "must have exactly one of setWeight, pause, analysis");
      return null;
    }
    if (spec.setWeight() != null) {
      if (spec.setWeight() < 0 || spec.setWeight() > 100) {
        problems.add(at + ".setWeight", "must be between 0 and 100");
        return null;
      }
      return CanaryStep.weight(spec.setWeight());
    }
    if (spec.pause() != null) {
      if (spec.pause().duration() == null) {
        return CanaryStep.pauseUntilPromoted();
      }
      Duration d = problems.duration(at + ".pause.duration", spec.pause().duration());
      return d == null ? null : CanaryStep.pauseFor(d);
    }
    AnalysisBody a = spec.analysis();
    Duration duration = problems.duration(at + ".analysis.duration", a.duration());
    Duration interval = problems.duration(at + ".analysis.interval", a.interval());
    if (duration != null && interval != null && interval.compareTo(duration) > 0) {
      problems.add(at + ".analysis.interval", "must not be longer than the analysis' duration");
    }
    ratio(at + ".analysis.maxErrorRatio", a.maxErrorRatio(), problems);
    ratio(at + ".analysis.maxLatencyRatio", a.maxLatencyRatio(), problems);
    rate(at + ".analysis.maxErrorRate", a.maxErrorRate(), problems);
    rate(at + ".analysis.errorRateFloor", a.errorRateFloor(), problems);
    if (a.minRequests() != null && a.minRequests() < 1) {
      problems.add(at + ".analysis.minRequests", "must be at least 1");
    }
    if (a.maxInconclusive() != null && a.maxInconclusive() < 1) {
      problems.add(at + ".analysis.maxInconclusive", "must be at least 1");
    }
    if (a.judge() != null
        && !a.judge().equals(AnalysisSpec.SEQUENTIAL)
        && !a.judge().equals(AnalysisSpec.THRESHOLD)) {
      problems.add(
          at + ".analysis.judge",
          "unknown judge \"" + a.judge() + "\": sequential (default) or threshold");
    }
    return CanaryStep.analyse(
        new AnalysisSpec(
            duration,
            interval,
            a.maxErrorRatio(),
            a.maxLatencyRatio(),
            a.maxErrorRate(),
            a.errorRateFloor(),
            a.minRequests(),
            a.maxInconclusive(),
            a.judge()));
  }

  private static void ratio(String field, Double value, Problems problems) {
    if (value != null && (value < 1 || value.isNaN())) {
      problems.add(field, "must be at least 1");
    }
  }

  private static void rate(String field, Double value, Problems problems) {
    if (value != null && (value < 0 || value > 1 || value.isNaN())) {
      problems.add(field, "must be between 0 and 1");
    }
  }

  static CanarySpec canarySpec(CanaryOptions canary) {
    if (canary == null) {
      return null;
    }
    List<StepSpec> steps = null;
    if (canary.steps() != null) {
      steps = new ArrayList<>();
      for (CanaryStep step : canary.steps()) {
        if (step.setWeight() != null) {
          steps.add(new StepSpec(step.setWeight(), null, null));
        } else if (step.pause() != null) {
          steps.add(new StepSpec(null, new PauseSpec(text(step.pause().duration())), null));
        } else {
          AnalysisSpec a = step.analysis();
          steps.add(
              new StepSpec(
                  null,
                  null,
                  new AnalysisBody(
                      text(a.duration()),
                      text(a.interval()),
                      a.maxErrorRatio(),
                      a.maxLatencyRatio(),
                      a.maxErrorRate(),
                      a.errorRateFloor(),
                      a.minRequests(),
                      a.maxInconclusive(),
                      a.judge())));
        }
      }
    }
    return new CanarySpec(
        steps, canary.canaryCount() == null ? null : canary.canaryCount().toString());
  }

  static RollingSpec rollingSpec(RollingOptions rolling) {
    if (rolling == null) {
      return null;
    }
    return new RollingSpec(
        rolling.batchSize() == null ? null : rolling.batchSize().toString(),
        rolling.maxUnavailable() == null ? null : rolling.maxUnavailable().toString(),
        text(rolling.pauseBetweenBatches()),
        text(rolling.drainTimeout()),
        rolling.rollbackOnFailure());
  }

  private static ProviderSpec spec(ProviderRef ref) {
    return ref == null ? null : new ProviderSpec(ref.type(), ref.settings());
  }

  /** {@code 10s}, {@code 1500ms}, {@code 2m}: the shortest exact form. */
  static String text(Duration d) {
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

  static String strategies() {
    return java.util.Arrays.stream(Strategy.values()).map(Strategy::id).toList().toString();
  }
}
