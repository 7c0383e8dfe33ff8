package dev.sluice.judge;

import dev.sluice.judge.JudgeInputException.Problem;
import java.util.List;

/**
 * Stage 0 of a step: are the observations usable? Counts non-negative with events within total,
 * samples and values finite, each of the metric's type. Missing data (null) is fine: it is data.
 */
final class ObservationCheck {

  private ObservationCheck() {}

  /**
   * Adds a problem to {@code out} for everything wrong with {@code pair}, named under {@code path}.
   */
  static void check(
      JudgeSpec.MetricSpec spec, Observation.Pair pair, String path, List<Problem> out) {
    if (pair == null) {
      return;
    }
    side(spec, pair.baseline(), path + ".baseline", out);
    side(spec, pair.canary(), path + ".canary", out);
  }

  private static void side(
      JudgeSpec.MetricSpec spec, Observation observation, String path, List<Problem> out) {
    if (observation == null) {
      return;
    }
    switch (spec.type()) {
      case RATIO -> {
        if (!(observation instanceof Observation.Counts counts)) {
          out.add(new Problem(path, "a ratio metric needs counts (events and total)"));
          return;
        }
        if (counts.events() < 0) {
          out.add(new Problem(path + ".events", "must not be negative, got " + counts.events()));
        }
        if (counts.total() < 0) {
          out.add(new Problem(path + ".total", "must not be negative, got " + counts.total()));
        }
        if (counts.events() > counts.total()) {
          out.add(
              new Problem(
                  path + ".events",
                  "events (" + counts.events() + ") exceed total (" + counts.total() + ")"));
        }
      }
      case SAMPLES -> {
        if (!(observation instanceof Observation.Samples samples) || samples.values() == null) {
          out.add(new Problem(path, "a samples metric needs an array of numbers"));
          return;
        }
        double[] values = samples.values();
        for (int i = 0; i < values.length; i++) {
          if (!Double.isFinite(values[i])) {
            out.add(new Problem(path + "[" + i + "]", "must be a finite number, got " + values[i]));
            return;
          }
        }
      }
      case VALUE -> {
        if (!(observation instanceof Observation.Value value)) {
          out.add(new Problem(path, "a value metric needs one number"));
          return;
        }
        if (!Double.isFinite(value.value())) {
          out.add(new Problem(path, "must be a finite number, got " + value.value()));
        }
      }
    }
  }
}
