package dev.sluice.activities.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.activities.analysis.ThresholdJudge.Window;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.Verdict;
import org.junit.jupiter.api.Test;

class ThresholdJudgeTest {

  static final AnalysisSpec SPEC = AnalysisSpec.DEFAULT;

  @Test
  void aCanaryAsGoodAsStablePasses() {
    assertThat(ThresholdJudge.judge(new Window(100, 1, 20), new Window(900, 8, 19), SPEC).verdict())
        .isEqualTo(Verdict.PASS);
  }

  @Test
  void anErrorRateOverOneAndAHalfTimesStableFails() {
    var judgement = ThresholdJudge.judge(new Window(200, 8, 20), new Window(1800, 36, 20), SPEC);
    assertThat(judgement.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(judgement.reason()).contains("4.00%").contains("1.5× stable's 2.00%");
  }

  @Test
  void tinyErrorRatesBelowTheFloorDoNotFailAgainstAPerfectStable() {
    assertThat(
            ThresholdJudge.judge(new Window(1000, 1, 20), new Window(9000, 0, 20), SPEC).verdict())
        .isEqualTo(Verdict.PASS);
  }

  @Test
  void theAbsoluteCeilingFailsWhateverStableDoes() {
    assertThat(
            ThresholdJudge.judge(new Window(100, 6, 20), new Window(900, 60, 20), SPEC).verdict())
        .isEqualTo(Verdict.FAIL);
  }

  @Test
  void aSlowerCanaryFailsBeyondThirtyPercentButNotWithinNoise() {
    assertThat(
            ThresholdJudge.judge(new Window(100, 0, 140), new Window(900, 0, 100), SPEC).verdict())
        .isEqualTo(Verdict.FAIL);
    assertThat(
            ThresholdJudge.judge(new Window(30, 0, 140), new Window(900, 0, 100), SPEC).verdict())
        .as("30 responses are too few to judge response time")
        .isEqualTo(Verdict.PASS);
    assertThat(ThresholdJudge.judge(new Window(100, 0, 6), new Window(900, 0, 2), SPEC).verdict())
        .as("4 ms apart is noise even at 3x")
        .isEqualTo(Verdict.PASS);
  }

  @Test
  void tooFewCanaryRequestsAreInconclusiveNeverAPass() {
    var judgement = ThresholdJudge.judge(new Window(5, 0, 20), new Window(900, 0, 20), SPEC);
    assertThat(judgement.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(judgement.reason()).contains("5 requests");
  }

  @Test
  void warmUpUsesAbsoluteThresholds() {
    assertThat(ThresholdJudge.warmUp(new Window(100, 0, 30), 0.01, 500, 20).verdict())
        .isEqualTo(Verdict.PASS);
    assertThat(ThresholdJudge.warmUp(new Window(100, 1, 30), 0.01, 500, 20).verdict())
        .isEqualTo(Verdict.FAIL);
    assertThat(ThresholdJudge.warmUp(new Window(100, 0, 600), 0.01, 500, 20).verdict())
        .isEqualTo(Verdict.FAIL);
    assertThat(ThresholdJudge.warmUp(new Window(30, 0, 600), 0.01, 500, 20).verdict())
        .isEqualTo(Verdict.PASS);
    assertThat(ThresholdJudge.warmUp(new Window(3, 0, 30), 0.01, 500, 20).verdict())
        .isEqualTo(Verdict.INCONCLUSIVE);
  }
}
