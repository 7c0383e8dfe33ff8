package dev.sluice.judge;

import dev.sluice.judge.JudgeInputException.Problem;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeState.Evidence;
import dev.sluice.judge.JudgeState.MetricState;
import dev.sluice.judge.Measure.Measured;
import dev.sluice.model.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * The sequential canary judge: compares a canary with the baseline serving in the same windows,
 * interval by interval, and keeps the chance of failing a good canary at most {@code alpha} however
 * often it looks. Pure code: no I/O, no clock, no randomness — the same intervals give the same
 * verdicts, so it may run in an activity whose results land in workflow history.
 *
 * <p>Each step is a pipeline of small stages, each tested on its own: {@link ObservationCheck}
 * (usable input?) → {@link Measure} (one interval reduced to what the tests need) → {@link
 * Accumulate} (running evidence, e-values) → {@link Classify} (each metric's PASS, FAIL or
 * INCONCLUSIVE) → {@link Combine} (the canary's verdict). At the planned end of the analysis,
 * {@link #conclude} adds each metric's one look at its totals ({@link FinalLook}) and the power its
 * window had.
 *
 * <p>Live use, once per interval, the state carried between calls (e.g. in activity heartbeats):
 *
 * <pre>{@code
 * Judge judge = new Judge(spec);
 * JudgeState state = judge.start();
 * state = judge.step(state, observations);   // every interval
 * if (state.decided()) { roll back }          // a critical metric failed
 * ... at the planned end of the analysis: judge.result(judge.conclude(state)).verdict()
 * }</pre>
 */
public final class Judge {

  private final JudgeSpec spec;

  /**
   * @throws JudgeInputException if the spec is unusable (no metrics, alpha outside (0, 0.5], …)
   */
  public Judge(JudgeSpec spec) {
    List<Problem> problems = new ArrayList<>();
    SpecCheck.check(spec, problems);
    if (!problems.isEmpty()) {
      throw new JudgeInputException(problems);
    }
    this.spec = spec;
  }

  public JudgeSpec spec() {
    return spec;
  }

  /**
   * Replays recorded series interval by interval as a live canary would: stops at a decided FAIL (a
   * critical metric failed); otherwise the verdict at the end, the last interval being the planned
   * end of the analysis ({@link #conclude}).
   *
   * @throws JudgeInputException naming every bad field
   */
  public static JudgeResult replay(JudgeRequest request) {
    RequestReader.Replay replay = RequestReader.read(request);
    return new Judge(replay.spec()).replay(replay.intervals());
  }

  /** Replays {@code intervals} from the start; see {@link #replay(JudgeRequest)}. */
  public JudgeResult replay(List<IntervalObservations> intervals) {
    JudgeState state = start();
    for (IntervalObservations interval : intervals) {
      state = step(state, interval);
      if (state.decided()) {
        break;
      }
    }
    return result(conclude(state));
  }

  /** The state before the first interval: no evidence, INCONCLUSIVE. */
  public JudgeState start() {
    List<MetricState> metrics = new ArrayList<>();
    for (MetricSpec m : spec.metrics()) {
      metrics.add(
          new MetricState(
              m.name(),
              Verdict.INCONCLUSIVE,
              null,
              0,
              0,
              0,
              0,
              0,
              false,
              0,
              Measure.tests(m),
              null,
              null,
              "no data yet"));
    }
    return new JudgeState(0, Verdict.INCONCLUSIVE, false, null, false, metrics);
  }

  /**
   * Judges one more interval. A decided state is returned unchanged.
   *
   * @param state from {@link #start()} or the previous step, for this spec
   * @param interval one pair of observations per metric, in the spec's order
   * @throws JudgeInputException if the observations are unusable (wrong count or kind, negative
   *     counts, events above total, NaN); names fields as {@code metrics[1].canary.events}
   */
  public JudgeState step(JudgeState state, IntervalObservations interval) {
    if (state.decided()) {
      return state;
    }
    if (state.concluded()) {
      throw new IllegalStateException(
          "the analysis has ended: its one look was taken, no more intervals may follow");
    }
    List<Problem> problems = new ArrayList<>();
    if (state.metrics().size() != spec.metrics().size()) {
      throw new IllegalArgumentException(
          "the state has "
              + state.metrics().size()
              + " metrics, the spec "
              + spec.metrics().size());
    }
    for (int i = 0; i < spec.metrics().size(); i++) {
      if (!fits(spec.metrics().get(i), state.metrics().get(i))) {
        throw new IllegalArgumentException(
            "the state of metric "
                + i
                + " was not made by this judge for this spec: its sequential tests differ");
      }
    }
    if (interval.metrics().size() != spec.metrics().size()) {
      problems.add(
          new Problem(
              "metrics",
              "has "
                  + interval.metrics().size()
                  + " observations, the spec "
                  + spec.metrics().size()
                  + " metrics"));
    } else {
      for (int i = 0; i < spec.metrics().size(); i++) {
        ObservationCheck.check(
            spec.metrics().get(i), interval.metrics().get(i), "metrics[" + i + "]", problems);
      }
    }
    if (!problems.isEmpty()) {
      throw new JudgeInputException(problems);
    }
    int k = state.intervals();
    List<MetricState> metrics = new ArrayList<>(spec.metrics().size());
    for (int i = 0; i < spec.metrics().size(); i++) {
      MetricSpec m = spec.metrics().get(i);
      Measured measured = Measure.interval(m, interval.metrics().get(i));
      MetricState accumulated = Accumulate.metric(state.metrics().get(i), measured);
      metrics.add(Classify.metric(m, accumulated, spec.sequentialAlpha(i), k));
    }
    Combine.Overall overall = Combine.overall(spec.metrics(), metrics);
    return new JudgeState(
        k + 1, overall.verdict(), overall.decided(), overall.decided() ? k : null, false, metrics);
  }

  /**
   * Ends the analysis: each metric's one look at its totals (see {@link FinalLook}), which may fail
   * it, and the power its window had. Call it once, when the analysis ends as planned — its last
   * interval fixed before it began, never because of what the data showed — and not for an analysis
   * cut short (no data for too long, a person's abort): the look is valid as a test taken at a time
   * chosen in advance. A decided or already concluded state is returned unchanged.
   */
  public JudgeState conclude(JudgeState state) {
    if (state.decided() || state.concluded()) {
      return state;
    }
    int last = Math.max(0, state.intervals() - 1);
    List<MetricState> metrics = new ArrayList<>(spec.metrics().size());
    for (int i = 0; i < spec.metrics().size(); i++) {
      metrics.add(
          Classify.conclude(
              spec.metrics().get(i),
              state.metrics().get(i),
              spec.sequentialAlpha(i),
              spec.finalAlpha(i),
              last));
    }
    Combine.Overall overall = Combine.overall(spec.metrics(), metrics);
    return new JudgeState(
        state.intervals(),
        overall.verdict(),
        overall.decided(),
        overall.decided() ? last : null,
        true,
        metrics);
  }

  /** Whether {@code state} holds the tests {@code spec} runs, shaped as this judge shapes them. */
  private static boolean fits(MetricSpec spec, MetricState state) {
    List<Evidence> expected = Measure.tests(spec);
    List<Evidence> actual = state.evidence();
    if (expected.size() != actual.size()) {
      return false;
    }
    for (int j = 0; j < expected.size(); j++) {
      Evidence e = expected.get(j);
      Evidence a = actual.get(j);
      if (a == null
          || e.test() != a.test()
          || e.increase() != a.increase()
          || !Accumulate.fits(a)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The verdict of {@code state} as an answer: final when decided or when the analysis ends with
   * it.
   */
  public JudgeResult result(JudgeState state) {
    List<JudgeResult.MetricResult> metrics = new ArrayList<>();
    for (MetricState m : state.metrics()) {
      metrics.add(
          new JudgeResult.MetricResult(
              m.name(),
              m.verdict(),
              m.details(),
              m.failedAtInterval(),
              m.pValue(),
              m.finalPValue(),
              m.detectable()));
    }
    int decidedAt = state.decided() ? state.decidedAtInterval() : state.intervals() - 1;
    return new JudgeResult(
        state.verdict(), decidedAt, state.intervals(), state.concluded(), metrics);
  }
}
