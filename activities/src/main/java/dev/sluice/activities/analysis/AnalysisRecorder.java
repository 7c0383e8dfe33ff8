package dev.sluice.activities.analysis;

import dev.sluice.model.AnalysisPoint;
import java.util.List;

/**
 * Where the analysis activities put what each interval measured (the ledger, in a worker). Must be
 * idempotent: a retried activity attempt may report an interval again.
 */
@FunctionalInterface
public interface AnalysisRecorder {

  /** Keeps nothing: for tests and benchmarks that only want the verdicts. */
  AnalysisRecorder NONE = (deploymentId, points) -> {};

  void record(String deploymentId, List<AnalysisPoint> points);
}
