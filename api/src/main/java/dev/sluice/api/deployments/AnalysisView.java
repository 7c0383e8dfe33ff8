package dev.sluice.api.deployments;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.model.AnalysisPoint;
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

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Run(
      String run, String kind, Instant startedAt, Instant endedAt, List<Metric> metrics) {}

  /**
   * One metric of a run.
   *
   * @param measure what the readings are: {@code rate}, {@code median}, {@code value} or {@code
   *     mean-ms}
   * @param verdict, pValue, details the judge's standing after the latest interval
   * @param threshold the p-value at or below which the metric fails (sequential judge), or the
   *     limit on the canary's reading (threshold judge, warm-up)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Metric(
      String name,
      String measure,
      Verdict verdict,
      Double pValue,
      Double threshold,
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
          for (List<AnalysisPoint> series : metrics.values()) {
            AnalysisPoint first = series.get(0);
            AnalysisPoint last = series.get(series.size() - 1);
            kind = first.kind();
            started = started == null || first.at().isBefore(started) ? first.at() : started;
            ended = ended == null || last.at().isAfter(ended) ? last.at() : ended;
            out.add(
                new Metric(
                    last.metric(),
                    last.measure(),
                    last.verdict(),
                    last.pValue(),
                    last.threshold(),
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
          runs.add(new Run(run, kind, started, ended, out));
        });
    return new AnalysisView(deploymentId, runs);
  }
}
