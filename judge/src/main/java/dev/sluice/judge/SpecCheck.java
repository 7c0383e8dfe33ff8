package dev.sluice.judge;

import dev.sluice.judge.JudgeInputException.Problem;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Is a {@link JudgeSpec} usable? Problems are named by the JSON path of the field. */
final class SpecCheck {

  private SpecCheck() {}

  static void check(JudgeSpec spec, List<Problem> out) {
    if (!(spec.alpha() > 0 && spec.alpha() <= 0.5)) {
      out.add(new Problem("alpha", "must be above 0 and at most 0.5, got " + spec.alpha()));
    }
    if (spec.metrics().isEmpty()) {
      out.add(new Problem("metrics", "at least one metric is needed"));
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < spec.metrics().size(); i++) {
      MetricSpec m = spec.metrics().get(i);
      String path = "metrics[" + i + "]";
      if (m.name() == null || m.name().isBlank()) {
        out.add(new Problem(path + ".name", "is required"));
      } else if (!names.add(m.name())) {
        out.add(new Problem(path + ".name", "\"" + m.name() + "\" is used by an earlier metric"));
      }
      if (m.type() == null) {
        out.add(new Problem(path + ".type", "is required: ratio, samples or value"));
      }
      if (m.direction() == null) {
        out.add(new Problem(path + ".direction", "is required: increase, decrease or either"));
      }
      double allowed = m.allowedChange();
      if (!(allowed >= 0 && Double.isFinite(allowed))) {
        out.add(new Problem(path + ".allowedChange", "must be 0 or more, got " + allowed));
      } else if (m.direction() != null && m.direction().watchesDecrease() && allowed >= 1) {
        out.add(
            new Problem(
                path + ".allowedChange",
                "must be below 1 when a decrease is watched (1 would allow a drop to 0), got "
                    + allowed));
      }
      if (m.minSamples() < 0) {
        out.add(new Problem(path + ".minSamples", "must be 0 or more, got " + m.minSamples()));
      }
      if (!(m.quantile() >= 0.5 && m.quantile() < 1)) {
        out.add(
            new Problem(
                path + ".quantile", "must be at least 0.5 and below 1, got " + m.quantile()));
      }
    }
  }
}
