package dev.sluice.activities.analysis;

import dev.sluice.judge.Judge;
import dev.sluice.judge.JudgeInputException;
import dev.sluice.judge.JudgeInputException.Problem;
import dev.sluice.judge.JudgeSpec;
import dev.sluice.judge.JudgeSpec.Direction;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeSpec.MetricType;
import dev.sluice.judge.Observation;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.MetricCheck;
import dev.sluice.ports.MetricProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A service's {@link AnalysisConfig} as the judge's {@link JudgeSpec}: unset fields take the
 * judge's defaults, and a metric's direction defaults to {@code increase} (errors, latency).
 */
public final class JudgeSpecs {

  private JudgeSpecs() {}

  /**
   * The spec for {@code config}'s effective metrics.
   *
   * @throws JudgeInputException naming each bad field as {@code metrics[1].type}
   */
  public static JudgeSpec of(AnalysisConfig config) {
    List<Problem> problems = new ArrayList<>();
    List<MetricSpec> metrics = new ArrayList<>();
    List<MetricCheck> checks = config.effectiveMetrics();
    for (int i = 0; i < checks.size(); i++) {
      MetricCheck check = checks.get(i);
      String path = "metrics[" + i + "]";
      MetricType type = parse(MetricType.class, check.type());
      if (type == null) {
        problems.add(
            new Problem(
                path + ".type",
                check.type() == null
                    ? "is required: ratio, samples or value"
                    : "unknown type \"" + check.type() + "\": ratio, samples or value"));
        continue;
      }
      Direction direction =
          check.direction() == null
              ? Direction.INCREASE
              : parse(Direction.class, check.direction());
      if (direction == null) {
        problems.add(
            new Problem(
                path + ".direction",
                "unknown direction \"" + check.direction() + "\": increase, decrease or either"));
        continue;
      }
      if (check.tolerance() != null) {
        if (type == MetricType.RATIO) {
          problems.add(
              new Problem(
                  path + ".tolerance",
                  "only samples and value metrics have an absolute tolerance"));
        } else if (!(check.tolerance() >= 0) || check.tolerance().isInfinite()) {
          problems.add(
              new Problem(path + ".tolerance", "must be 0 or more, got " + check.tolerance()));
        }
      }
      if (check.quantile() != null && type != MetricType.SAMPLES) {
        problems.add(new Problem(path + ".quantile", "only samples metrics watch a tail quantile"));
      }
      metrics.add(
          new MetricSpec(
              check.name(),
              type,
              direction,
              check.isCritical(),
              check.allowedChange() != null
                  ? check.allowedChange()
                  : JudgeSpec.DEFAULT_ALLOWED_CHANGE,
              check.minSamples() != null ? check.minSamples() : type.defaultMinSamples(),
              check.quantile() != null ? check.quantile() : JudgeSpec.DEFAULT_QUANTILE));
    }
    if (!problems.isEmpty()) {
      throw new JudgeInputException(problems);
    }
    JudgeSpec spec = new JudgeSpec(config.effectiveAlpha(), metrics);
    new Judge(spec); // validates the rest: names, allowances, alpha, quantiles
    return spec;
  }

  /**
   * The canary's figures moved towards "better" by the metric's absolute tolerance, so a difference
   * within it never counts as a regression; this only makes the test more lenient, so its
   * false-failure bound holds. {@code either} is left alone (no side to move towards).
   */
  public static Observation tolerate(Observation canary, MetricSpec metric, double tolerance) {
    if (canary == null || tolerance <= 0 || metric.direction() == JudgeSpec.Direction.EITHER) {
      return canary;
    }
    double shift = metric.direction() == JudgeSpec.Direction.INCREASE ? -tolerance : tolerance;
    if (canary instanceof Observation.Value v) {
      return new Observation.Value(v.value() + shift);
    }
    if (canary instanceof Observation.Samples s) {
      double[] moved = new double[s.values().length];
      for (int i = 0; i < moved.length; i++) {
        moved[i] = s.values()[i] + shift;
      }
      return new Observation.Samples(moved);
    }
    return canary;
  }

  /** What a metric provider is asked for, by the judge's metric type. */
  public static MetricProvider.Kind kind(MetricType type) {
    return switch (type) {
      case RATIO -> MetricProvider.Kind.RATIO;
      case SAMPLES -> MetricProvider.Kind.SAMPLES;
      case VALUE -> MetricProvider.Kind.VALUE;
    };
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String name) {
    if (name == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(name)) {
        return e;
      }
    }
    return null;
  }
}
