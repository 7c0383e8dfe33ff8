package dev.sluice.bench.judge;

import dev.sluice.judge.IntervalObservations;
import dev.sluice.judge.Judge;
import dev.sluice.judge.JudgeSpec;
import dev.sluice.judge.JudgeSpec.Direction;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeSpec.MetricType;
import dev.sluice.judge.JudgeState;
import dev.sluice.judge.Observation;
import dev.sluice.model.Verdict;
import java.util.List;

/**
 * Sluice's sequential judge through its incremental API, as the live canary calls it: errors (a
 * ratio) and response times (samples), both critical, default allowances and α; after the
 * scenario's last interval, the planned end of its analysis, the judge's one look at the end.
 */
public final class SluiceLiveJudge implements LiveJudge {

  static final JudgeSpec SPEC =
      new JudgeSpec(
          JudgeSpec.DEFAULT_ALPHA,
          List.of(
              MetricSpec.of("errors", MetricType.RATIO, Direction.INCREASE).critical(true),
              MetricSpec.of("latency", MetricType.SAMPLES, Direction.INCREASE).critical(true)));

  private static final Judge JUDGE = new Judge(SPEC);

  private final int horizon;
  private JudgeState state = JUDGE.start();

  /** A judge for an analysis of {@code horizon} intervals. */
  public SluiceLiveJudge(int horizon) {
    this.horizon = horizon;
  }

  @Override
  public boolean fails(Interval d) {
    state =
        JUDGE.step(
            state,
            new IntervalObservations(
                List.of(
                    new Observation.Pair(
                        new Observation.Counts(d.baselineErrors(), d.baselineRequests()),
                        new Observation.Counts(d.canaryErrors(), d.canaryRequests())),
                    new Observation.Pair(
                        new Observation.Samples(d.baselineLatency()),
                        new Observation.Samples(d.canaryLatency())))));
    if (state.intervals() == horizon) {
      state = JUDGE.conclude(state);
      return state.verdict() == Verdict.FAIL;
    }
    return state.decided();
  }
}
