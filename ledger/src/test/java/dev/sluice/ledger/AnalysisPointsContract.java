package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Analysis points ({@link AnalysisPoints}). */
abstract class AnalysisPointsContract extends LedgerContract {

  private static AnalysisPoint point(String run, int interval, String metric, Double canary) {
    return new AnalysisPoint(
        run,
        AnalysisPoint.CANARY,
        interval,
        START.plusSeconds(10L * interval),
        metric,
        "rate",
        canary,
        0.01,
        0.4,
        0.005,
        Verdict.PASS,
        "estimate ×1.1");
  }

  @Test
  void pointsComeBackOldestFirstWithEveryField() {
    ledger.recordAnalysis(
        "d-1", List.of(point("5", 1, "errors", 0.02), point("5", 1, "latency", 120.0)));
    ledger.recordAnalysis("d-1", List.of(point("5", 0, "errors", null)));
    ledger.recordAnalysis("d-2", List.of(point("5", 0, "errors", 0.5)));

    List<AnalysisPoint> points = ledger.analysis("d-1");

    assertThat(points)
        .extracting(AnalysisPoint::interval, AnalysisPoint::metric, AnalysisPoint::canary)
        .containsExactly(
            tuple(0, "errors", null), tuple(1, "errors", 0.02), tuple(1, "latency", 120.0));
    assertThat(points.get(1))
        .isEqualTo(point("5", 1, "errors", 0.02))
        .extracting(AnalysisPoint::at)
        .isEqualTo(START.plusSeconds(10));
  }

  @Test
  void theRequestsEachGroupServedComeBackWithThePointAndGiveTheActualWeight() {
    AnalysisPoint counted =
        new AnalysisPoint(
            "7",
            AnalysisPoint.CANARY,
            0,
            START,
            "errors",
            "rate",
            0.01,
            0.01,
            0.5,
            0.005,
            Verdict.PASS,
            "ok",
            250L,
            750L);
    ledger.recordAnalysis("d-1", List.of(counted, point("7", 0, "latency", 120.0)));

    List<AnalysisPoint> points = ledger.analysis("d-1");

    assertThat(points.get(0)).isEqualTo(counted);
    assertThat(points.get(0).actualWeight()).isEqualTo(25.0);
    assertThat(points.get(1).canaryRequests()).isNull();
    assertThat(points.get(1).actualWeight()).isNull();
    assertThat(ledger.latestActualWeight("d-1")).contains(counted);
    AnalysisPoint later =
        new AnalysisPoint(
            "7",
            AnalysisPoint.CANARY,
            1,
            START.plusSeconds(10),
            "errors",
            "rate",
            0.01,
            0.01,
            0.4,
            0.005,
            Verdict.PASS,
            "ok",
            100L,
            900L);
    ledger.recordAnalysis("d-1", List.of(later));
    assertThat(ledger.latestActualWeight("d-1")).contains(later);
    assertThat(ledger.latestActualWeight("d-2")).isEmpty();
  }

  @Test
  void theJudgesLookAtTheEndComesBackWithTheLastIntervalsPoint() {
    AnalysisPoint last =
        new AnalysisPoint(
            "7",
            AnalysisPoint.CANARY,
            1,
            START.plusSeconds(10),
            "errors",
            "rate",
            0.01,
            0.01,
            0.4,
            0.005,
            Verdict.PASS,
            "not enough evidence of a regression: …",
            100L,
            900L,
            new AnalysisPoint.Conclusion(0.62, 0.005, 1.46));
    AnalysisPoint failedBefore =
        new AnalysisPoint(
            "7",
            AnalysisPoint.CANARY,
            1,
            START.plusSeconds(10),
            "latency",
            "value",
            30.0,
            20.0,
            0.001,
            0.005,
            Verdict.FAIL,
            "failed at interval 0: …",
            null,
            null,
            new AnalysisPoint.Conclusion(null, null, null));
    ledger.recordAnalysis("d-1", List.of(point("7", 0, "errors", 0.01), last, failedBefore));

    List<AnalysisPoint> points = ledger.analysis("d-1");

    assertThat(points).containsExactly(point("7", 0, "errors", 0.01), last, failedBefore);
    assertThat(points).extracting(AnalysisPoint::concluded).containsExactly(false, true, true);
  }

  @Test
  void anIntervalReportedAgainByARetriedAttemptIsKeptOnce() {
    ledger.recordAnalysis("d-1", List.of(point("5", 0, "errors", 0.02)));
    ledger.recordAnalysis(
        "d-1", List.of(point("5", 0, "errors", 0.9), point("5", 1, "errors", 0.03)));

    assertThat(ledger.analysis("d-1"))
        .extracting(AnalysisPoint::interval, AnalysisPoint::canary)
        .containsExactly(tuple(0, 0.02), tuple(1, 0.03));
  }

  @Test
  void readingsThatAreNotNumbersAreStoredAsNoReading() {
    ledger.recordAnalysis(
        "d-1", List.of(point("5", 0, "errors", Double.NaN), point("5", 0, "latency", 1.0 / 0.0)));

    assertThat(ledger.analysis("d-1")).extracting(AnalysisPoint::canary).containsOnlyNulls();
  }

  @Test
  void aDeploymentWithoutAnalysisHasNoPoints() {
    assertThat(ledger.analysis("d-404")).isEmpty();
  }
}
