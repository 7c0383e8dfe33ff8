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
 * @param metrics one per metric, in the request's order
 */
public record JudgeResult(
    Verdict verdict, int decidedAtInterval, int intervals, List<MetricResult> metrics) {

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
   *     fails when it is at most its share of alpha
   */
  public record MetricResult(
      String name, Verdict verdict, String details, Integer failedAtInterval, double pValue) {}
}
