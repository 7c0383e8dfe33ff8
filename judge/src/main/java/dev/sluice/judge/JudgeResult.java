package dev.sluice.judge;

import dev.sluice.model.Verdict;
import java.util.List;

/**
 * The judge's answer.
 *
 * @param verdict PASS, FAIL or INCONCLUSIVE (see {@link Judge} for the rule)
 * @param decidedAtInterval the 0-based interval at which the verdict was reached: where a critical
 *     metric failed, else the last interval judged
 * @param intervals how many intervals were judged (replay stops at a decided FAIL)
 * @param concluded whether the analysis had ended (its one look taken): the verdict is final
 * @param metrics one per metric, in the request's order
 */
public record JudgeResult(
    Verdict verdict,
    int decidedAtInterval,
    int intervals,
    boolean concluded,
    List<MetricResult> metrics) {

  public JudgeResult {
    metrics = List.copyOf(metrics);
  }

  /**
   * One metric's verdict.
   *
   * @param name the metric's name
   * @param verdict PASS, FAIL or INCONCLUSIVE
   * @param details estimates and evidence, for people
   * @param failedAtInterval the 0-based interval at which it failed, else null
   * @param pValue the always-valid p-value (valid however often the metric was checked); the metric
   *     fails when it is at most its sequential share of alpha
   * @param finalPValue the one-look p-value at the end of the analysis, null before (or when a
   *     critical metric failed first); the metric fails when it is at most its final share
   * @param detectable at the end of the analysis, the smallest regression its window could have
   *     detected with 80% power, as the canary's figure over the baseline's (for ratio metrics the
   *     ratio of the rates): what to size the next canary by; null before the end or when the
   *     window could detect nothing (see {@link JudgeState.MetricState#detectable()})
   */
  public record MetricResult(
      String name,
      Verdict verdict,
      String details,
      Integer failedAtInterval,
      double pValue,
      Double finalPValue,
      Double detectable) {}
}
