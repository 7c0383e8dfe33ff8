package dev.sluice.judge;

import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeState.Evidence;
import dev.sluice.judge.JudgeState.MetricState;
import dev.sluice.judge.JudgeState.Test;
import dev.sluice.model.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Stage 3 of a step: one metric's verdict after an interval, and at the end of the analysis.
 *
 * <ul>
 *   <li>FAIL once its e-value has reached 1/α (α its sequential share of the budget) and both
 *       groups have {@code minSamples}; sticky. The minimum gates the verdict, not the evidence:
 *       data from before it was reached still counts. At the end of the analysis also when its one
 *       look ({@link FinalLook}) is at most the final share.
 *   <li>INCONCLUSIVE when the latest interval had no data (provider error, no traffic) or either
 *       group is below {@code minSamples}.
 *   <li>PASS otherwise: enough data and no significant regression so far; at the end, "not enough
 *       evidence of a regression" with the smallest regression the window could have detected — a
 *       pass is an absence of evidence, and how much that says depends on the window's power.
 * </ul>
 */
final class Classify {

  private Classify() {}

  static MetricState metric(MetricSpec spec, MetricState state, double alpha, int interval) {
    boolean enough = Math.min(state.baselineSize(), state.canarySize()) >= spec.minSamples();
    Verdict verdict;
    Integer failedAt = state.failedAtInterval();
    String why;
    if (state.verdict() == Verdict.FAIL) {
      verdict = Verdict.FAIL;
      why = "failed at interval " + failedAt + ": ";
    } else if (enough && state.maxLogEvidence() >= Math.log(1 / alpha)) {
      verdict = Verdict.FAIL;
      failedAt = interval;
      why = "regression: ";
    } else if (state.lastMissing()) {
      verdict = Verdict.INCONCLUSIVE;
      why = "no data in interval " + interval + " (provider error or no traffic); ";
    } else if (!enough) {
      verdict = Verdict.INCONCLUSIVE;
      why =
          String.format(
              Locale.ROOT,
              "too little data: %d baseline and %d canary %s of %d needed; ",
              state.baselineSize(),
              state.canarySize(),
              unit(spec),
              spec.minSamples());
    } else {
      verdict = Verdict.PASS;
      why = "no significant regression so far: ";
    }
    String details = why + describe(spec, state) + evidence(state, alpha);
    return state.judged(verdict, failedAt, null, null, details);
  }

  /**
   * The metric's verdict at the end of the analysis, after interval {@code interval}: its last
   * step's, unless its one look at the end fails it; with the power the window had.
   *
   * @param alpha the metric's sequential share (as in {@link #metric})
   * @param finalAlpha the share of its one look
   */
  static MetricState conclude(
      MetricSpec spec, MetricState state, double alpha, double finalAlpha, int interval) {
    if (state.verdict() == Verdict.FAIL) {
      return state;
    }
    boolean enough = Math.min(state.baselineSize(), state.canarySize()) >= spec.minSamples();
    double finalP = FinalLook.pValue(state.evidence());
    Double detectable = detectable(spec, state, finalAlpha);
    String look =
        String.format(
            Locale.ROOT, "; one look at the end p=%.3g (fails at %.3g)", finalP, finalAlpha);
    String body = describe(spec, state) + evidence(state, alpha) + look;
    if (enough && finalP <= finalAlpha) {
      return state.judged(
          Verdict.FAIL,
          interval,
          finalP,
          detectable,
          "regression at the end of the analysis: " + body);
    }
    String power =
        detectable == null
            ? "; the window had too little data to detect any regression"
            : String.format(
                Locale.ROOT,
                "; the window could have detected %s (%.0f%% power)",
                detectableText(spec, detectable),
                100 * FinalLook.POWER);
    if (state.verdict() == Verdict.INCONCLUSIVE) {
      return state.judged(
          Verdict.INCONCLUSIVE, null, finalP, detectable, state.details() + look + power);
    }
    return state.judged(
        Verdict.PASS,
        null,
        finalP,
        detectable,
        "not enough evidence of a regression: " + body + power);
  }

  /**
   * The smallest regression the one look could have detected with {@link FinalLook#POWER}, on the
   * metric's scale (see {@link MetricState#detectable()}), for its first binomial test.
   */
  static Double detectable(MetricSpec spec, MetricState state, double finalAlpha) {
    List<Evidence> tests = state.evidence();
    int looks = FinalLook.looks(tests);
    for (Evidence e : tests) {
      if (FinalLook.binomial(e)) {
        double r = FinalLook.detectableOddsRatio(e, finalAlpha / looks);
        if (Double.isNaN(r)) {
          return null;
        }
        if (e.test() != Test.RATE) {
          return r;
        }
        double a = spec.allowedChange();
        return e.increase() ? r * (1 + a) : (1 - a) / r;
      }
    }
    return null;
  }

  private static String detectableText(MetricSpec spec, double detectable) {
    return switch (spec.type()) {
      case RATIO -> String.format(Locale.ROOT, "a canary rate ×%.2f the baseline's", detectable);
      case SAMPLES ->
          String.format(
              Locale.ROOT, "a canary share of the tail ×%.2f its share of the samples", detectable);
      case VALUE ->
          String.format(
              Locale.ROOT,
              "a canary beyond the allowance in %.0f%% of intervals",
              100 * detectable / (1 + detectable));
    };
  }

  private static String unit(MetricSpec spec) {
    return switch (spec.type()) {
      case RATIO -> "requests";
      case SAMPLES -> "samples";
      case VALUE -> "intervals";
    };
  }

  private static String evidence(MetricState state, double alpha) {
    return String.format(
        Locale.ROOT, "; always-valid p=%.3g (fails at %.3g)", state.pValue(), alpha);
  }

  /** Estimates for people: what the canary did against its baseline. */
  static String describe(MetricSpec spec, MetricState state) {
    List<String> parts = new ArrayList<>();
    switch (spec.type()) {
      case RATIO -> {
        double canary = rate(state.canaryEvents(), state.canarySize());
        double baseline = rate(state.baselineEvents(), state.baselineSize());
        parts.add(
            String.format(
                Locale.ROOT,
                "canary %s (%d/%d) vs baseline %s (%d/%d)%s, allowed %s",
                pct(canary),
                state.canaryEvents(),
                state.canarySize(),
                pct(baseline),
                state.baselineEvents(),
                state.baselineSize(),
                baseline > 0 ? String.format(Locale.ROOT, ": ×%.2f", canary / baseline) : "",
                allowance(spec)));
      }
      case SAMPLES -> {
        for (Evidence e : state.evidence()) {
          String word = e.increase() ? "above" : "below";
          String bound = bound(spec, e.increase());
          if (e.test() == Test.LOCATION && e.information() > 0) {
            parts.add(
                String.format(
                    Locale.ROOT,
                    "P(canary %s %s) %.3f",
                    word,
                    bound,
                    0.5 + e.score() / e.information()));
          } else if (e.test() == Test.TAIL || e.test() == Test.WIDE_TAIL) {
            double tail =
                e.test() == Test.TAIL ? spec.quantile() : Measure.wideQuantile(spec.quantile());
            double q = e.increase() ? tail : 1 - tail;
            parts.add(
                String.format(
                    Locale.ROOT,
                    "%s the pooled p%s of canary and %s: %.0f of %.0f samples were the canary's"
                        + " (%.1f expected)",
                    word,
                    percentile(q),
                    bound,
                    e.successes(),
                    e.trials(),
                    e.expected()));
          }
        }
        parts.add(
            0, state.canarySize() + " canary and " + state.baselineSize() + " baseline samples");
      }
      case VALUE -> {
        for (Evidence e : state.evidence()) {
          parts.add(
              String.format(
                  Locale.ROOT,
                  "canary %s %s in %.0f of %.0f intervals",
                  e.increase() ? "above" : "below",
                  bound(spec, e.increase()),
                  e.successes(),
                  e.trials()));
        }
      }
    }
    if (state.intervalsMissing() > 0) {
      parts.add(state.intervalsMissing() + " intervals without data");
    }
    return String.join("; ", parts);
  }

  private static String allowance(MetricSpec spec) {
    String up = String.format(Locale.ROOT, "×%.2f", 1 + spec.allowedChange());
    String down = String.format(Locale.ROOT, "×%.2f", 1 - spec.allowedChange());
    return switch (spec.direction()) {
      case INCREASE -> "up to " + up;
      case DECREASE -> "down to " + down;
      case EITHER -> down + " to " + up;
    };
  }

  private static String bound(MetricSpec spec, boolean increase) {
    if (spec.allowedChange() == 0) {
      return "baseline";
    }
    return String.format(
        Locale.ROOT, "baseline%s%.0f%%", increase ? "+" : "−", 100 * spec.allowedChange());
  }

  private static String percentile(double q) {
    String s = String.format(Locale.ROOT, "%.4f", 100 * q);
    return s.replaceAll("\\.?0+$", "");
  }

  private static double rate(long events, long total) {
    return total == 0 ? 0 : (double) events / total;
  }

  private static String pct(double rate) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * rate);
  }
}
