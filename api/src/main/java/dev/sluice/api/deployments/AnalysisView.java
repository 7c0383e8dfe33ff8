package dev.sluice.api.deployments;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.AnalysisPoint.Conclusion;
import dev.sluice.model.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/deployments/{id}/analysis}: the evidence behind a deployment's analysis
 * verdicts. One run per analysis step (a canary's analysis, a blue-green warm-up), oldest first;
 * per metric, its latest standing and one point per interval — what the canary and its baseline
 * measured, the judge's p-value and the threshold it is held to.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AnalysisView(String deploymentId, List<Run> runs) {

  /**
   * One analysis run.
   *
   * @param concluded whether the sequential judge ran the analysis to its planned end and took its
   *     one look at the totals: the verdicts are final and each metric has its {@code finalPValue}
   *     and {@code detectable}; false while it runs, when it stopped early (a critical metric
   *     failed, too long without data, an abort) and for the threshold judge
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Run(
      String run,
      String kind,
      Instant startedAt,
      Instant endedAt,
      boolean concluded,
      List<Metric> metrics) {}

  /**
   * One metric of a run.
   *
   * @param measure what the readings are: {@code rate}, {@code median}, {@code value} or {@code
   *     mean-ms}
   * @param verdict, pValue, details the judge's standing after the latest interval
   * @param threshold the p-value at or below which the metric fails (sequential judge), or the
   *     limit on the canary's reading (threshold judge, warm-up)
   * @param finalPValue, finalThreshold once the run concluded: the one-look p-value at the totals
   *     and the p-value at or below which it fails the metric; absent for a metric that failed
   *     before the end
   * @param detectable once the run concluded: the smallest regression its window could have
   *     detected with 80% power, as the canary's figure over the baseline's ({@code rate}: the
   *     ratio of the rates; {@code median}: the canary's share of the tail over its share of the
   *     samples; {@code value}: the odds of an interval beyond the allowance) — what to size the
   *     next canary by; absent when the window could detect nothing
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Metric(
      String name,
      String measure,
      Verdict verdict,
      Double pValue,
      Double threshold,
      Double finalPValue,
      Double finalThreshold,
      Double detectable,
      String details,
      List<Point> points) {}

  /**
   * One interval of a metric; {@code canaryRequests} and {@code baselineRequests} are the requests
   * each group served in it, for a metric that counts them (their ratio is the actual weight).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Point(
      int interval,
      Instant at,
      Double canary,
      Double baseline,
      Double pValue,
      Verdict verdict,
      Long canaryRequests,
      Long baselineRequests) {}

  private static final Conclusion NOT_CONCLUDED = new Conclusion(null, null, null);

  /** Groups the ledger's points (oldest first) by run, then by metric. */
  static AnalysisView of(String deploymentId, List<AnalysisPoint> points) {
    Map<String, Map<String, List<AnalysisPoint>>> byRun = new LinkedHashMap<>();
    for (AnalysisPoint p : points) {
      byRun
          .computeIfAbsent(p.run(), r -> new LinkedHashMap<>())
          .computeIfAbsent(p.metric(), m -> new ArrayList<>())
          .add(p);
    }
    List<Run> runs = new ArrayList<>();
    byRun.forEach(
        (run, metrics) -> {
          List<Metric> out = new ArrayList<>();
          Instant started = null;
          Instant ended = null;
          String kind = null;
          boolean concluded = false;
          for (List<AnalysisPoint> series : metrics.values()) {
            AnalysisPoint first = series.get(0);
            AnalysisPoint last = series.get(series.size() - 1);
            kind = first.kind();
            started = started == null || first.at().isBefore(started) ? first.at() : started;
            ended = ended == null || last.at().isAfter(ended) ? last.at() : ended;
            concluded |= last.concluded();
            Conclusion end = last.concluded() ? last.conclusion() : NOT_CONCLUDED;
            out.add(
                new Metric(
                    last.metric(),
                    last.measure(),
                    last.verdict(),
                    last.pValue(),
                    last.threshold(),
                    end.finalPValue(),
                    end.finalThreshold(),
                    end.detectable(),
                    last.details(),
                    series.stream()
                        .map(
                            p ->
                                new Point(
                                    p.interval(),
                                    p.at(),
                                    p.canary(),
                                    p.baseline(),
                                    p.pValue(),
                                    p.verdict(),
                                    p.canaryRequests(),
                                    p.baselineRequests()))
                        .toList()));
          }
          runs.add(new Run(run, kind, started, ended, concluded, out));
        });
    return new AnalysisView(deploymentId, runs);
  }
}
