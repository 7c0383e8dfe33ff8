package dev.sluice.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.judge.JudgeSpec.Direction;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeSpec.MetricType;
import dev.sluice.judge.JudgeState.MetricState;
import dev.sluice.model.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The live canary carries {@link JudgeState} in Temporal heartbeats, as JSON: a restored state must
 * judge the next interval exactly as the original would.
 */
class JudgeStateJsonTest {

  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  static final Judge JUDGE =
      new Judge(
          new JudgeSpec(
              0.01,
              List.of(
                  MetricSpec.of("errors", MetricType.RATIO, Direction.INCREASE).critical(true),
                  MetricSpec.of("latency", MetricType.SAMPLES, Direction.EITHER).critical(true),
                  MetricSpec.of("revenue", MetricType.VALUE, Direction.DECREASE))));

  /** Interval {@code k} of a canary with slightly more errors than its baseline. */
  static IntervalObservations interval(Random random, int k) {
    double[] baseline = new double[300];
    double[] canary = new double[60];
    for (int i = 0; i < baseline.length; i++) {
      baseline[i] = 50 * Math.exp(0.5 * random.nextGaussian());
    }
    for (int i = 0; i < canary.length; i++) {
      canary[i] = 52 * Math.exp(0.5 * random.nextGaussian());
    }
    return new IntervalObservations(
        List.of(
            new Observation.Pair(
                new Observation.Counts(30 + random.nextInt(10), 3000),
                new Observation.Counts(5 + random.nextInt(5), 600)),
            new Observation.Pair(
                new Observation.Samples(baseline), new Observation.Samples(canary)),
            new Observation.Pair(
                new Observation.Value(1.0 + 0.01 * k), new Observation.Value(0.99 + 0.01 * k))));
  }

  static JudgeState roundTrip(JudgeState state) throws Exception {
    return JSON.readValue(JSON.writeValueAsString(state), JudgeState.class);
  }

  @Test
  void aStateRestoredFromJsonEqualsTheOriginalAndStepsToTheSameResult() throws Exception {
    Random random = new Random(17);
    List<IntervalObservations> intervals = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      intervals.add(interval(random, k));
    }
    JudgeState state = JUDGE.start();
    for (int k = 0; k < 6; k++) {
      state = JUDGE.step(state, intervals.get(k));
    }

    JudgeState restored = roundTrip(state);

    assertThat(restored).isEqualTo(state);
    JudgeState original = state;
    for (int k = 6; k < 12; k++) {
      original = JUDGE.step(original, intervals.get(k));
      restored = JUDGE.step(roundTrip(restored), intervals.get(k));
      assertThat(restored).isEqualTo(original);
    }
    assertThat(JUDGE.result(restored)).isEqualTo(JUDGE.result(original));
    assertThat(roundTrip(JUDGE.conclude(restored))).isEqualTo(JUDGE.conclude(original));
    assertThat(JUDGE.result(JUDGE.conclude(original))).isEqualTo(JUDGE.replay(intervals));
  }

  @Test
  void theStartStateAndADecidedStateRoundTrip() throws Exception {
    assertThat(roundTrip(JUDGE.start())).isEqualTo(JUDGE.start());

    JudgeState failed = JUDGE.start();
    IntervalObservations bad =
        new IntervalObservations(
            Arrays.asList(
                new Observation.Pair(
                    new Observation.Counts(30, 3000), new Observation.Counts(60, 600)),
                null,
                null));
    while (!failed.decided()) {
      failed = JUDGE.step(failed, bad);
    }
    JudgeState restored = roundTrip(failed);

    assertThat(restored).isEqualTo(failed);
    assertThat(restored.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(restored.decidedAtInterval()).isEqualTo(failed.decidedAtInterval());
    assertThat(JUDGE.step(restored, bad)).as("a decided state stays as it is").isEqualTo(failed);
  }

  @Test
  void aStateOfAnotherSpecIsRejected() {
    Judge other =
        new Judge(
            new JudgeSpec(
                0.01,
                List.of(
                    MetricSpec.of("errors", MetricType.RATIO, Direction.EITHER),
                    MetricSpec.of("latency", MetricType.SAMPLES, Direction.EITHER),
                    MetricSpec.of("revenue", MetricType.VALUE, Direction.DECREASE))));
    JudgeState state = other.start();
    MetricState errors = state.metrics().get(0);

    assertThatThrownBy(() -> JUDGE.step(state, interval(new Random(1), 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metric 0");
    assertThat(errors.evidence()).hasSize(2);
  }
}
