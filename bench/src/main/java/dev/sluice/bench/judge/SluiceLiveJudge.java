package dev.sluice.bench.judge;

import dev.sluice.judge.IntervalObservations;
import dev.sluice.judge.Judge;
import dev.sluice.judge.JudgeSpec;
import dev.sluice.judge.JudgeSpec.Direction;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeSpec.MetricType;
import dev.sluice.judge.JudgeState;
import dev.sluice.judge.Observation;
import java.util.List;

/**
 * Sluice's sequential judge through its incremental API, as the live canary calls it: errors (a
 * ratio) and response times (samples), both critical, default allowances and α.
 */
public final class SluiceLiveJudge implements LiveJudge {

  static final JudgeSpec SPEC =
      new JudgeSpec(
          JudgeSpec.DEFAULT_ALPHA,
          List.of(
              MetricSpec.of("errors", MetricType.RATIO, Direction.INCREASE).critical(true),
              MetricSpec.of("latency", MetricType.SAMPLES, Direction.INCREASE).critical(true)));

  private static final Judge JUDGE = new Judge(SPEC);

  private JudgeState state = JUDGE.start();

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
    return state.decided();
  }
}
