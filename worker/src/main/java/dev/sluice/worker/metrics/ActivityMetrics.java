package dev.sluice.worker.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;

/**
 * Times every activity attempt this worker runs — a deployment's steps (drain, deploy, health
 * check, traffic shift, analysis, ledger records) — as {@code sluice_activity_duration_seconds} by
 * activity type and outcome. Measured around the activity's execution in the worker, so the figure
 * is what the step cost, not when Temporal learned of it; workflow code is untouched and stays
 * deterministic.
 */
public final class ActivityMetrics extends WorkerInterceptorBase {

  /** Steps range from milliseconds (a ledger record) to an hour (a canary's analysis window). */
  private static final double[] BUCKETS = {
    0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600
  };

  private final Histogram durations;

  /** Registers the histogram on {@code registry}. */
  public ActivityMetrics(PrometheusRegistry registry) {
    this.durations =
        Histogram.builder()
            .name("sluice_activity_duration_seconds")
            .help(
                "Time one activity attempt (a deployment step: drain, deploy, health check,"
                    + " traffic shift, analysis, ledger record) took in this worker, by activity"
                    + " type and outcome (completed or failed)")
            .unit(Unit.SECONDS)
            .labelNames("activity", "outcome")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .register(registry);
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new Timed(next);
  }

  private final class Timed extends ActivityInboundCallsInterceptorBase {
    private String activityType = "unknown";

    Timed(ActivityInboundCallsInterceptor next) {
      super(next);
    }

    @Override
    public void init(ActivityExecutionContext context) {
      activityType = context.getInfo().getActivityType();
      super.init(context);
    }

    @Override
    public ActivityOutput execute(ActivityInput input) {
      long start = System.nanoTime();
      String outcome = "failed";
      try {
        ActivityOutput output = super.execute(input);
        outcome = "completed";
        return output;
      } finally {
        DistributionDataPoint point = durations.labelValues(activityType, outcome);
        point.observe((System.nanoTime() - start) / 1e9);
      }
    }
  }
}
