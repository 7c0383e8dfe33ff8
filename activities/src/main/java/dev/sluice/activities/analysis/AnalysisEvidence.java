package dev.sluice.activities.analysis;

import dev.sluice.judge.JudgeSpec.MetricType;
import dev.sluice.judge.Observation;
import dev.sluice.model.AnalysisPoint;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an interval's {@link AnalysisPoint}s to the {@link AnalysisRecorder}, stamped with the
 * deployment (the workflow's id) and the run (the activity's id). The points explain a verdict;
 * they do not make it: a recorder that fails is logged and the analysis goes on.
 */
final class AnalysisEvidence {

  private static final Logger log = LoggerFactory.getLogger(AnalysisEvidence.class);

  private final AnalysisRecorder recorder;

  AnalysisEvidence(AnalysisRecorder recorder) {
    this.recorder = recorder;
  }

  void record(ActivityExecutionContext context, List<AnalysisPoint> points) {
    record(context, null, points);
  }

  /**
   * @param deploymentId the deployment the points belong to; null: the workflow's id
   */
  void record(ActivityExecutionContext context, String deploymentId, List<AnalysisPoint> points) {
    ActivityInfo info = context.getInfo();
    String deployment = deploymentId == null ? info.getWorkflowId() : deploymentId;
    List<AnalysisPoint> stamped = points.stream().map(p -> p.inRun(info.getActivityId())).toList();
    try {
      recorder.record(deployment, stamped);
    } catch (RuntimeException e) {
      log.warn(
          "analysis points of {} (interval {}) not recorded: {}",
          deployment,
          points.isEmpty() ? "-" : points.get(0).interval(),
          e.toString());
    }
  }

  /** What a metric's readings are, by its type. */
  static String measure(MetricType type) {
    return switch (type) {
      case RATIO -> "rate";
      case SAMPLES -> "median";
      case VALUE -> "value";
    };
  }

  /** One group's reading for people: the rate, the samples' median, or the value. */
  static Double reading(Observation observation) {
    if (observation instanceof Observation.Counts c) {
      return c.total() == 0 ? null : (double) c.events() / c.total();
    }
    if (observation instanceof Observation.Samples s) {
      return s.values().length == 0 ? null : median(s.values());
    }
    if (observation instanceof Observation.Value v) {
      return v.value();
    }
    return null;
  }

  /** The requests a group served in the interval, for a metric that counts them; else null. */
  static Long requests(Observation observation) {
    return observation instanceof Observation.Counts c ? c.total() : null;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
