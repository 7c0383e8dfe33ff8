package dev.sluice.api.services;

import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.AnalysisBody;
import dev.sluice.api.services.ServiceSpec.BlueGreenSpec;
import dev.sluice.api.services.ServiceSpec.CanarySpec;
import dev.sluice.api.services.ServiceSpec.PauseSpec;
import dev.sluice.api.services.ServiceSpec.RollingSpec;
import dev.sluice.api.services.ServiceSpec.SmokeSpec;
import dev.sluice.api.services.ServiceSpec.StepSpec;
import dev.sluice.api.services.ServiceSpec.WarmUpSpec;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.SmokeCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The strategies' settings — rolling, canary, blue-green — from the wire, checked with every
 * problem named, and back; as service defaults or one deployment's overrides.
 */
public final class StrategyOptions {

  private StrategyOptions() {}

  /**
   * Rolling settings from the wire; {@code null} when none given. A batch size or max-unavailable
   * count larger than the fleet is refused: it is almost always a mistake, not a wish.
   */
  public static RollingOptions rolling(
      String field, RollingSpec spec, int fleetSize, Problems problems) {
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
        spec.rollbackOnFailure(),
        spec.byZone(),
        problems.durationOrZero(field + ".zoneBake", spec.zoneBake()),
        problems.quantity(field + ".minHealthyPerZone", spec.minHealthyPerZone()));
  }

  /** Blue-green settings from the wire; {@code null} when none given. */
  public static BlueGreenOptions blueGreen(String field, BlueGreenSpec spec, Problems problems) {
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
        ServiceMapper.text(options.autoPromoteAfter()),
        ServiceMapper.text(options.warmUp()),
        options.warmUpAnalysis() == null
            ? null
            : new WarmUpSpec(
                options.warmUpAnalysis().maxErrorRate(),
                options.warmUpAnalysis().maxLatencyMs(),
                options.warmUpAnalysis().minRequests()),
        ServiceMapper.text(options.rollbackWindow()),
        options.stopOldPool());
  }

  /** Canary settings from the wire; {@code null} when none given. */
  public static CanaryOptions canary(
      String field, CanarySpec spec, int fleetSize, Problems problems) {
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
          steps.add(
              new StepSpec(null, new PauseSpec(ServiceMapper.text(step.pause().duration())), null));
        } else {
          AnalysisSpec a = step.analysis();
          steps.add(
              new StepSpec(
                  null,
                  null,
                  new AnalysisBody(
                      ServiceMapper.text(a.duration()),
                      ServiceMapper.text(a.interval()),
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
        ServiceMapper.text(rolling.pauseBetweenBatches()),
        ServiceMapper.text(rolling.drainTimeout()),
        rolling.rollbackOnFailure(),
        rolling.byZone(),
        ServiceMapper.text(rolling.zoneBake()),
        rolling.minHealthyPerZone() == null ? null : rolling.minHealthyPerZone().toString());
  }
}
