package dev.sluice.api.services;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.analysis.JudgeSpecs;
import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.AnalysisSpecBody;
import dev.sluice.api.services.ServiceSpec.AutoRollbackBody;
import dev.sluice.api.services.ServiceSpec.ThresholdBody;
import dev.sluice.judge.JudgeInputException;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.MetricCheck;
import dev.sluice.model.ProviderRef;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.MetricProvider.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A service's analysis settings and post-deploy monitoring from the wire, checked as far as can be
 * without I/O (known provider, settings that build, metrics the provider can serve, ceilings on
 * metrics the service has), and back.
 */
final class AnalysisMapping {

  private final ProviderRegistry providers;

  AnalysisMapping(ProviderRegistry providers) {
    this.providers = providers;
  }

  /** Units a ceiling may be given in. */
  static final Set<String> UNITS = Set.of("ratio", "ms", "s");

  /**
   * Post-deploy monitoring settings from the wire, every field set ({@code
   * AutoRollbackSpec.DEFAULT} for what is not given); null when none given. Ceilings must name
   * metrics the service has, and a watched service needs a metric provider.
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
              + ServiceMapper.text(spec.interval())
              + ") must not be longer than the window ("
              + ServiceMapper.text(spec.window())
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
        problems.add(at + ".unit", "must be one of ratio, ms, s; got " + Problems.quote(t.unit()));
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
        ServiceMapper.text(spec.window()),
        ServiceMapper.text(spec.interval()),
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
  AnalysisConfig analysis(AnalysisSpecBody body, ProviderRef router, Problems problems) {
    if (body == null) {
      return null;
    }
    ProviderRef provider = null;
    if (body.provider() != null) {
      provider =
          ProviderSpecs.provider(
              "analysis.provider", body.provider(), providers.metricTypes(), problems);
      ProviderSpecs.check("analysis.provider.settings", provider, providers::metrics, problems);
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

  static AnalysisSpecBody analysisSpec(AnalysisConfig config) {
    if (config == null) {
      return null;
    }
    return new AnalysisSpecBody(
        ProviderSpecs.spec(config.provider()), config.metrics(), config.alpha());
  }
}
