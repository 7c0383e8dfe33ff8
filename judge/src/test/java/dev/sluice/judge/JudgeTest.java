package dev.sluice.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.judge.JudgeSpec.Direction;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeSpec.MetricType;
import dev.sluice.model.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class JudgeTest {

  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The example of the issue (and of {@link JudgeRequest}'s javadoc), verbatim. */
  static final String ISSUE_EXAMPLE =
      """
      {"alpha": 0.01,
       "metrics": [
        {"name": "errors", "type": "ratio", "direction": "increase", "critical": true,
         "allowedChange": 0.1, "minSamples": 100,
         "intervals": [{"baseline": {"events": 12, "total": 10000},
                        "canary": {"events": 3, "total": 1000}}]},
        {"name": "latency", "type": "samples", "direction": "increase", "quantile": 0.99,
         "intervals": [{"baseline": [12.1, 15.3], "canary": [13.0, 40.2]}]},
        {"name": "revenue", "type": "value", "direction": "decrease",
         "intervals": [{"baseline": 0.52, "canary": 0.49}]}]}
      """;

  static final MetricSpec ERRORS =
      MetricSpec.of("errors", MetricType.RATIO, Direction.INCREASE).critical(true);

  static Observation.Pair counts(
      long baselineEvents, long baseline, long canaryEvents, long canary) {
    return new Observation.Pair(
        new Observation.Counts(baselineEvents, baseline),
        new Observation.Counts(canaryEvents, canary));
  }

  static List<IntervalObservations> series(int n, IntFunction<List<Observation.Pair>> interval) {
    List<IntervalObservations> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new IntervalObservations(interval.apply(i)));
    }
    return out;
  }

  @Test
  void theIssueExampleReplaysToInconclusiveAfterItsSingleInterval() throws Exception {
    JudgeResult result = Judge.replay(JSON.readValue(ISSUE_EXAMPLE, JudgeRequest.class));

    // One interval: the errors have enough requests and show nothing significant (3 of 1000 against
    // 12 of 10000 is weak evidence), but two latency samples and one revenue interval are far below
    // their minimums: INCONCLUSIVE, never a PASS on that little data.
    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.decidedAtInterval()).isZero();
    assertThat(result.intervals()).isEqualTo(1);
    assertThat(result.metrics())
        .extracting(JudgeResult.MetricResult::name, JudgeResult.MetricResult::verdict)
        .containsExactly(
            Tuple.tuple("errors", Verdict.PASS),
            Tuple.tuple("latency", Verdict.INCONCLUSIVE),
            Tuple.tuple("revenue", Verdict.INCONCLUSIVE));
    assertThat(result.metrics().get(0).pValue()).isBetween(0.01, 1.0);
    assertThat(result.metrics().get(1).details()).contains("too little data");
  }

  @Test
  void aRecordedBadCanaryInTheIssueFormatFailsAtTheIntervalItWouldHaveLive() throws Exception {
    // The issue's format, longer: errors ×4 from interval 5 on, a steady latency and revenue.
    StringBuilder errors = new StringBuilder();
    StringBuilder latency = new StringBuilder();
    StringBuilder revenue = new StringBuilder();
    Random random = new Random(11);
    for (int i = 0; i < 30; i++) {
      String sep = i == 0 ? "" : ",";
      int canaryErrors = i < 5 ? 1 : 4;
      errors.append(
          sep
              + "{\"baseline\": {\"events\": 9, \"total\": 9000}, \"canary\": {\"events\": "
              + canaryErrors
              + ", \"total\": 1000}}");
      latency.append(
          sep
              + "{\"baseline\": "
              + Arrays.toString(lognormal(random, 180, 50, 0.5))
              + ", \"canary\": "
              + Arrays.toString(lognormal(random, 20, 50, 0.5))
              + "}");
      revenue.append(sep + "{\"baseline\": 0.52, \"canary\": 0.52}");
    }
    String json =
        """
        {"metrics": [
          {"name": "errors", "type": "ratio", "direction": "increase", "critical": true,
           "intervals": [%s]},
          {"name": "latency", "type": "samples", "direction": "increase", "critical": true,
           "intervals": [%s]},
          {"name": "revenue", "type": "value", "direction": "decrease", "intervals": [%s]}]}
        """
            .formatted(errors, latency, revenue);

    JudgeResult result = Judge.replay(JSON.readValue(json, JudgeRequest.class));

    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.decidedAtInterval()).isBetween(5, 15);
    assertThat(result.metrics().get(0).failedAtInterval()).isEqualTo(result.decidedAtInterval());
    assertThat(result.intervals())
        .as("replay stops where the live canary would have been rolled back")
        .isEqualTo(result.decidedAtInterval() + 1);
    assertThat(result.metrics().get(0).details()).contains("regression");
  }

  @Test
  void aCanaryWithFiveTimesTheErrorsFailsAtAnEarlyIntervalDecidedBecauseErrorsAreCritical() {
    Judge judge = new Judge(new JudgeSpec(0.01, List.of(ERRORS)));

    JudgeResult result = judge.replay(series(20, i -> List.of(counts(90, 9000, 50, 1000))));

    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.decidedAtInterval()).isLessThanOrEqualTo(1);
    assertThat(result.intervals()).isEqualTo(result.decidedAtInterval() + 1);
    assertThat(result.metrics().get(0).verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.metrics().get(0).pValue()).isLessThanOrEqualTo(0.01);
  }

  @Test
  void aNonCriticalFailingMetricFailsTheCanaryOnlyAtTheEndWithoutDecidingIt() {
    MetricSpec errors = MetricSpec.of("errors", MetricType.RATIO, Direction.INCREASE);
    Judge judge = new Judge(new JudgeSpec(0.01, List.of(errors)));
    List<IntervalObservations> intervals = series(20, i -> List.of(counts(90, 9000, 50, 1000)));

    JudgeState state = judge.start();
    for (IntervalObservations interval : intervals) {
      state = judge.step(state, interval);
      assertThat(state.decided()).as("a non-critical failure never decides early").isFalse();
    }
    JudgeResult result = judge.result(judge.conclude(state));

    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(state.decidedAtInterval()).isNull();
    assertThat(result.intervals()).as("the analysis ran its course").isEqualTo(20);
    assertThat(result.decidedAtInterval()).as("the verdict is the last interval's").isEqualTo(19);
    assertThat(result.metrics().get(0).failedAtInterval()).isLessThanOrEqualTo(1);
    assertThat(judge.replay(intervals)).isEqualTo(result);
  }

  @Test
  void aGoodCanaryWithEnoughDataPasses() {
    Judge judge =
        new Judge(
            new JudgeSpec(
                0.01,
                List.of(
                    ERRORS,
                    MetricSpec.of("latency", MetricType.SAMPLES, Direction.INCREASE)
                        .critical(true))));
    Random random = new Random(5);

    JudgeResult result =
        judge.replay(
            series(
                20,
                i ->
                    List.of(
                        counts(90, 9000, 10, 1000),
                        new Observation.Pair(
                            new Observation.Samples(lognormal(random, 900, 50, 0.5)),
                            new Observation.Samples(lognormal(random, 100, 50, 0.5))))));

    assertThat(result.verdict()).isEqualTo(Verdict.PASS);
    assertThat(result.intervals()).isEqualTo(20);
    assertThat(result.metrics()).allSatisfy(m -> assertThat(m.verdict()).isEqualTo(Verdict.PASS));
    assertThat(result.metrics()).allSatisfy(m -> assertThat(m.failedAtInterval()).isNull());
  }

  @Test
  void aPassAtTheEndSaysThereWasNotEnoughEvidenceAndWhatTheWindowCouldHaveDetected() {
    Judge judge = new Judge(new JudgeSpec(0.01, List.of(ERRORS)));

    JudgeResult result = judge.replay(series(10, i -> List.of(counts(90, 9000, 10, 1000))));

    assertThat(result.verdict()).isEqualTo(Verdict.PASS);
    assertThat(result.concluded()).isTrue();
    JudgeResult.MetricResult errors = result.metrics().get(0);
    assertThat(errors.details())
        .startsWith("not enough evidence of a regression: ")
        .doesNotContain("no significant regression")
        .contains("one look at the end p=1.00 (fails at 0.00500)")
        .contains("the window could have detected a canary rate ×1.46 the baseline's (80% power)");
    assertThat(errors.finalPValue()).isEqualTo(1.0);
    assertThat(errors.detectable()).isBetween(1.4, 1.5);
  }

  @Test
  void aRegressionTheAlwaysValidTestMissesFailsTheCanaryAtTheLookAtTheEnd() {
    Judge judge = new Judge(new JudgeSpec(0.01, List.of(ERRORS)));
    List<IntervalObservations> intervals = series(10, i -> List.of(counts(90, 9000, 14, 1000)));
    JudgeState state = judge.start();
    for (IntervalObservations interval : intervals) {
      state = judge.step(state, interval);
    }
    assertThat(state.verdict())
        .as("×1.4 is not enough for the always-valid test")
        .isEqualTo(Verdict.PASS);
    assertThat(state.metrics().get(0).details()).startsWith("no significant regression so far: ");

    JudgeResult result = judge.result(judge.conclude(state));

    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.decidedAtInterval()).isEqualTo(9);
    assertThat(result.metrics().get(0).failedAtInterval()).isEqualTo(9);
    assertThat(result.metrics().get(0).finalPValue()).isLessThanOrEqualTo(0.005);
    assertThat(result.metrics().get(0).details())
        .startsWith("regression at the end of the analysis: ");
    assertThat(judge.replay(intervals)).isEqualTo(result);
  }

  @Test
  void noIntervalMayFollowTheEndOfTheAnalysis() {
    Judge judge = new Judge(new JudgeSpec(0.01, List.of(ERRORS)));
    JudgeState ended =
        judge.conclude(
            judge.step(judge.start(), series(1, i -> List.of(counts(90, 9000, 10, 1000))).get(0)));

    assertThat(judge.conclude(ended)).isEqualTo(ended);
    assertThatThrownBy(
            () -> judge.step(ended, series(1, i -> List.of(counts(90, 9000, 10, 1000))).get(0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the analysis has ended");
  }

  @Test
  void criticalMetricsGetTwiceTheAlphaOfOthersAndTheSharesAddUpToAlpha() {
    JudgeSpec spec =
        new JudgeSpec(
            0.01,
            List.of(
                ERRORS,
                MetricSpec.of("latency", MetricType.SAMPLES, Direction.INCREASE),
                MetricSpec.of("revenue", MetricType.VALUE, Direction.DECREASE)));

    assertThat(spec.alphaOf(0)).isEqualTo(0.005);
    assertThat(spec.alphaOf(1)).isEqualTo(0.0025);
    assertThat(spec.alphaOf(0) + spec.alphaOf(1) + spec.alphaOf(2)).isEqualTo(0.01);
    assertThat(spec.sequentialAlpha(0) + spec.finalAlpha(0)).isEqualTo(spec.alphaOf(0));
  }

  @Test
  void tooLittleDataIsInconclusive() {
    Judge judge = new Judge(new JudgeSpec(0.01, List.of(ERRORS)));

    JudgeResult result = judge.replay(series(3, i -> List.of(counts(5, 500, 0, 10))));

    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.metrics().get(0).details()).contains("too little data").contains("30 canary");
  }

  @Test
  void noDataInTheLastIntervalIsInconclusiveNeverAPass() {
    Judge judge = new Judge(new JudgeSpec(0.01, List.of(ERRORS)));
    List<IntervalObservations> good = series(10, i -> List.of(counts(90, 9000, 10, 1000)));
    assertThat(judge.replay(good).verdict()).isEqualTo(Verdict.PASS);

    List<Observation.Pair> missing = new ArrayList<>();
    missing.add(null);
    List<IntervalObservations> thenNothing = new ArrayList<>(good);
    thenNothing.add(new IntervalObservations(missing));
    List<IntervalObservations> thenNoCanary = new ArrayList<>(good);
    thenNoCanary.add(
        new IntervalObservations(
            List.of(new Observation.Pair(new Observation.Counts(90, 9000), null))));
    List<IntervalObservations> thenNoTraffic = new ArrayList<>(good);
    thenNoTraffic.add(new IntervalObservations(List.of(counts(0, 0, 0, 0))));

    for (List<IntervalObservations> intervals : List.of(thenNothing, thenNoCanary, thenNoTraffic)) {
      JudgeResult result = judge.replay(intervals);
      assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
      assertThat(result.metrics().get(0).details()).contains("no data in interval 10");
    }
  }

  @Test
  void aNullIntervalInRecordedJsonIsInconclusive() throws Exception {
    StringBuilder intervals = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      intervals.append(
          "{\"baseline\": {\"events\": 90, \"total\": 9000},"
              + " \"canary\": {\"events\": 10, \"total\": 1000}},");
    }
    intervals.append("null");
    String json =
        "{\"metrics\": [{\"name\": \"errors\", \"type\": \"ratio\", \"direction\": \"increase\","
            + " \"intervals\": ["
            + intervals
            + "]}]}";

    JudgeResult result = Judge.replay(JSON.readValue(json, JudgeRequest.class));

    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.intervals()).isEqualTo(11);
  }

  @Test
  void aValueMetricWatchingDecreaseFailsADropAndPassesARise() {
    JudgeResult drop = valueCanary(Direction.DECREASE, 0.8);
    JudgeResult rise = valueCanary(Direction.DECREASE, 1.2);

    assertThat(drop.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(drop.metrics().get(0).details()).contains("below");
    assertThat(rise.verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void aValueMetricWatchingIncreasePassesADrop() {
    assertThat(valueCanary(Direction.INCREASE, 0.8).verdict()).isEqualTo(Verdict.PASS);
    assertThat(valueCanary(Direction.INCREASE, 1.2).verdict()).isEqualTo(Verdict.FAIL);
  }

  @Test
  void aValueMetricWatchingEitherFailsBothADropAndARiseButNotAChangeWithinTheAllowance() {
    JudgeResult drop = valueCanary(Direction.EITHER, 0.8);
    JudgeResult rise = valueCanary(Direction.EITHER, 1.2);
    JudgeResult within = valueCanary(Direction.EITHER, 1.03);

    assertThat(drop.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(rise.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(within.verdict()).isEqualTo(Verdict.PASS);
    // Watching both sides splits the budget: a one-sided regression takes at least as long.
    assertThat(drop.metrics().get(0).failedAtInterval())
        .isGreaterThanOrEqualTo(valueCanary(Direction.DECREASE, 0.8).decidedAtInterval());
  }

  /** 40 intervals of a critical value metric: baseline around 100, the canary {@code factor}×. */
  static JudgeResult valueCanary(Direction direction, double factor) {
    Judge judge =
        new Judge(
            new JudgeSpec(
                0.01,
                List.of(MetricSpec.of("revenue", MetricType.VALUE, direction).critical(true))));
    Random random = new Random(3);
    return judge.replay(
        series(
            40,
            i -> {
              double baseline = 100 + 10 * random.nextGaussian();
              double canary = baseline * factor * (1 + 0.005 * random.nextGaussian());
              return List.of(
                  new Observation.Pair(
                      new Observation.Value(baseline), new Observation.Value(canary)));
            }));
  }

  static double[] lognormal(Random random, int n, double median, double sigma) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = Math.round(median * Math.exp(sigma * random.nextGaussian()) * 10) / 10.0;
    }
    return values;
  }
}
