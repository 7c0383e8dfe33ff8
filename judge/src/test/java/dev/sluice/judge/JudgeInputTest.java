package dev.sluice.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.sluice.judge.JudgeInputException.Problem;
import dev.sluice.judge.JudgeSpec.Direction;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeSpec.MetricType;
import java.util.List;
import org.junit.jupiter.api.Test;

class JudgeInputTest {

  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The problems a request (JSON, single quotes for readability) is rejected with. */
  static List<Problem> problems(String json) throws Exception {
    JudgeRequest request = JSON.readValue(json.replace('\'', '"'), JudgeRequest.class);
    JudgeInputException e =
        catchThrowableOfType(JudgeInputException.class, () -> Judge.replay(request));
    assertThat(e).as("the request is rejected").isNotNull();
    assertThat(e.problems()).isNotEmpty();
    return e.problems();
  }

  static List<String> fields(List<Problem> problems) {
    return problems.stream().map(Problem::field).toList();
  }

  static String ratio(String name, String intervals) {
    return "{'name': '"
        + name
        + "', 'type': 'ratio', 'direction': 'increase', 'intervals': ["
        + intervals
        + "]}";
  }

  static final String GOOD_INTERVAL =
      "{'baseline': {'events': 1, 'total': 100}, 'canary': {'events': 1, 'total': 100}}";

  @Test
  void anUnknownTypeNamesTheTypeField() throws Exception {
    List<Problem> problems =
        problems(
            "{'metrics': [{'name': 'errors', 'type': 'histogram', 'direction': 'increase',"
                + " 'intervals': [{'baseline': 1, 'canary': 2}]}]}");

    assertThat(fields(problems)).containsExactly("metrics[0].type");
    assertThat(problems.get(0).message()).contains("histogram");
  }

  @Test
  void negativeEventsNameTheEventsField() throws Exception {
    List<Problem> problems =
        problems(
            "{'metrics': ["
                + ratio(
                    "errors",
                    "{'baseline': {'events': 1, 'total': 100},"
                        + " 'canary': {'events': -1, 'total': 100}}")
                + "]}");

    assertThat(fields(problems)).containsExactly("metrics[0].intervals[0].canary.events");
    assertThat(problems.get(0).message()).contains("negative");
  }

  @Test
  void aNegativeTotalNamesTheTotalField() throws Exception {
    List<Problem> problems =
        problems(
            "{'metrics': ["
                + ratio(
                    "errors",
                    "{'baseline': {'events': 0, 'total': -5},"
                        + " 'canary': {'events': 1, 'total': 100}}")
                + "]}");

    assertThat(fields(problems)).contains("metrics[0].intervals[0].baseline.total");
  }

  @Test
  void eventsAboveTotalNameTheEventsField() throws Exception {
    List<Problem> problems =
        problems(
            "{'metrics': ["
                + ratio(
                    "errors",
                    "{'baseline': {'events': 101, 'total': 100},"
                        + " 'canary': {'events': 1, 'total': 100}}")
                + "]}");

    assertThat(fields(problems)).containsExactly("metrics[0].intervals[0].baseline.events");
    assertThat(problems.get(0).message()).contains("exceed total");
  }

  @Test
  void anEmptyMetricsListNamesMetrics() throws Exception {
    assertThat(fields(problems("{'metrics': []}"))).containsExactly("metrics");
    assertThat(fields(problems("{'alpha': 0.01}"))).containsExactly("metrics");
  }

  @Test
  void metricsWithDifferentIntervalCountsNameTheLaterMetricsIntervals() throws Exception {
    List<Problem> problems =
        problems(
            "{'metrics': ["
                + ratio("errors", GOOD_INTERVAL + ", " + GOOD_INTERVAL)
                + ", "
                + ratio("timeouts", GOOD_INTERVAL + ", " + GOOD_INTERVAL + ", " + GOOD_INTERVAL)
                + "]}");

    assertThat(fields(problems)).containsExactly("metrics[1].intervals");
    assertThat(problems.get(0).message()).contains("3 intervals").contains("2");
  }

  @Test
  void everyBadFieldIsNamedAtOnce() throws Exception {
    List<Problem> problems =
        problems(
            "{'alpha': 0.9, 'metrics': [{'name': 'errors', 'type': 'ratio', 'direction': 'up',"
                + " 'intervals': ["
                + GOOD_INTERVAL
                + "]}, {'name': 'errors', 'type': 'value', 'direction': 'decrease',"
                + " 'intervals': [{'baseline': 'x', 'canary': 1}]}]}");

    assertThat(fields(problems))
        .contains(
            "alpha", "metrics[0].direction", "metrics[1].name", "metrics[1].intervals[0].baseline");
  }

  @Test
  void unknownFieldsAreRejected() throws Exception {
    assertThat(
            fields(
                problems(
                    "{'metrics': ["
                        + ratio(
                            "errors",
                            "{'baseline': {'events': 1, 'total': 100, 'errors': 3},"
                                + " 'canary': {'events': 1, 'total': 100}}")
                        + "]}")))
        .containsExactly("metrics[0].intervals[0].baseline.errors");
    assertThat(
            catchThrowableOfType(
                UnrecognizedPropertyException.class,
                () -> JSON.readValue("{\"metrics\": [], \"beta\": 1}", JudgeRequest.class)))
        .isNotNull();
  }

  @Test
  void badLiveObservationsNameTheFieldWithinTheInterval() {
    Judge judge =
        new Judge(
            new JudgeSpec(
                0.01,
                List.of(
                    MetricSpec.of("latency", MetricType.SAMPLES, Direction.INCREASE),
                    MetricSpec.of("errors", MetricType.RATIO, Direction.INCREASE))));
    IntervalObservations bad =
        new IntervalObservations(
            List.of(
                new Observation.Pair(
                    new Observation.Samples(new double[] {1, Double.NaN}),
                    new Observation.Samples(new double[] {2})),
                new Observation.Pair(
                    new Observation.Counts(1, 100), new Observation.Counts(-2, 100))));

    JudgeInputException e =
        catchThrowableOfType(JudgeInputException.class, () -> judge.step(judge.start(), bad));

    assertThat(fields(e.problems()))
        .containsExactly("metrics[0].baseline[1]", "metrics[1].canary.events");
  }

  @Test
  void aSpecWithoutMetricsIsRejected() {
    JudgeInputException e =
        catchThrowableOfType(
            JudgeInputException.class, () -> new Judge(new JudgeSpec(0.01, List.of())));

    assertThat(fields(e.problems())).containsExactly("metrics");
  }
}
