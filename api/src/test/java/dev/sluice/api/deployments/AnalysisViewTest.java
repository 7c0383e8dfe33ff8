package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.AnalysisPoint.Conclusion;
import dev.sluice.model.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ledger's analysis points as {@code GET /api/v1/deployments/{id}/analysis} shows them. */
class AnalysisViewTest {

  static final Instant AT = Instant.parse("2026-12-05T10:00:00Z");

  static AnalysisPoint point(
      String run, int interval, String metric, Verdict verdict, Conclusion conclusion) {
    return new AnalysisPoint(
        run,
        AnalysisPoint.CANARY,
        interval,
        AT.plusSeconds(30L * interval),
        metric,
        "rate",
        0.01,
        0.01,
        0.4,
        0.0025,
        verdict,
        "interval " + interval,
        100L,
        300L,
        conclusion);
  }

  @Test
  void aConcludedRunShowsEachMetricsLookAtTheEndAndThePowerItsWindowHad() {
    AnalysisView view =
        AnalysisView.of(
            "dep-1",
            List.of(
                point("7", 0, "errors", Verdict.PASS, null),
                point("7", 0, "latency", Verdict.FAIL, null),
                point("7", 1, "errors", Verdict.PASS, new Conclusion(0.62, 0.0025, 1.46)),
                point("7", 1, "latency", Verdict.FAIL, new Conclusion(null, null, null))));

    AnalysisView.Run run = view.runs().get(0);
    assertThat(run.concluded()).isTrue();
    AnalysisView.Metric errors = run.metrics().get(0);
    assertThat(errors.finalPValue()).isEqualTo(0.62);
    assertThat(errors.finalThreshold()).isEqualTo(0.0025);
    assertThat(errors.detectable()).isEqualTo(1.46);
    assertThat(errors.points()).as("the look adds no interval").hasSize(2);
    AnalysisView.Metric latency = run.metrics().get(1);
    assertThat(latency.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(latency.finalPValue()).as("failed before the end: no look").isNull();
    assertThat(latency.detectable()).isNull();
  }

  @Test
  void aRunStillGoingOrStoppedEarlyHasNotConcluded() {
    AnalysisView view =
        AnalysisView.of(
            "dep-1",
            List.of(
                point("7", 0, "errors", Verdict.PASS, new Conclusion(0.62, 0.0025, 1.46)),
                point("9", 0, "errors", Verdict.PASS, null)));

    assertThat(view.runs()).extracting(AnalysisView.Run::concluded).containsExactly(true, false);
    AnalysisView.Metric live = view.runs().get(1).metrics().get(0);
    assertThat(live.finalPValue()).isNull();
    assertThat(live.finalThreshold()).isNull();
    assertThat(live.detectable()).isNull();
  }
}
