package dev.sluice.judge;

import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeState.MetricState;
import dev.sluice.model.Verdict;
import java.util.List;

/**
 * Stage 4 of a step: the canary's verdict from its metrics' verdicts.
 *
 * <ol>
 *   <li>A critical metric FAILs: FAIL, decided at once (the canary is rolled back now).
 *   <li>A non-critical metric has FAILed: FAIL, not decided — the analysis runs its course (the
 *       critical metrics keep watching, the report is complete) and the canary is never promoted.
 *   <li>A metric is INCONCLUSIVE (too little data, no data in the latest interval): INCONCLUSIVE.
 *       Never a PASS on missing data; the caller decides how long to wait before asking a person.
 *   <li>Otherwise PASS: every metric has enough data and none shows a regression.
 * </ol>
 *
 * <p>The verdict after the last interval of the analysis is the final one.
 */
final class Combine {

  private Combine() {}

  /** The canary's verdict after interval {@code interval}. */
  record Overall(Verdict verdict, boolean decided) {}

  static Overall overall(List<MetricSpec> specs, List<MetricState> metrics) {
    boolean failed = false;
    boolean inconclusive = false;
    for (int i = 0; i < specs.size(); i++) {
      Verdict v = metrics.get(i).verdict();
      if (v == Verdict.FAIL && specs.get(i).critical()) {
        return new Overall(Verdict.FAIL, true);
      }
      failed |= v == Verdict.FAIL;
      inconclusive |= v == Verdict.INCONCLUSIVE;
    }
    if (failed) {
      return new Overall(Verdict.FAIL, false);
    }
    return new Overall(inconclusive ? Verdict.INCONCLUSIVE : Verdict.PASS, false);
  }
}
