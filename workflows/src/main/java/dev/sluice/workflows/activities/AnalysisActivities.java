package dev.sluice.workflows.activities;

import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import io.temporal.activity.ActivityInterface;
import java.time.Duration;
import java.util.List;

/**
 * Canary analysis as one long-running activity per analysis step: every {@code spec.interval()} it
 * compares the canary with the stable servers serving in the same window and heartbeats its
 * progress, so a bake of hours costs a handful of history events and a new worker resumes where a
 * dead one stopped.
 */
@ActivityInterface(namePrefix = "Analysis")
public interface AnalysisActivities {

  /**
   * Watches for {@code spec.duration()}; returns early on the first failing window, or once {@code
   * spec.maxInconclusive()} windows in a row had too little data.
   */
  AnalysisResult watch(WatchCall call);

  /**
   * Blue-green warm-up: watches the pool that just took traffic, alone, against absolute
   * thresholds; returns at the first failing window.
   */
  AnalysisResult warmUp(WarmUpCall call);

  /**
   * Post-deploy monitoring with automatic rollback: watches the new version's targets for {@code
   * spec.window()} against absolute ceilings; returns FAIL at the first breach, PASS at the end,
   * INCONCLUSIVE when no check had data. Missing data never counts as a breach.
   */
  AnalysisResult monitor(MonitorCall call);

  /**
   * @param router the service's traffic router (its counters serve when no provider is named)
   * @param targets the targets running the new version
   * @param service the service's name, for metric queries
   * @param version the new version
   * @param analysis the service's metrics and their provider
   * @param spec window, interval, ceilings (every field set)
   * @param deploymentId the deployment whose analysis record the readings join (a canary's, for the
   *     monitoring of its promoted servers in a child workflow); null: the workflow's own id
   */
  record MonitorCall(
      ProviderRef router,
      List<Target> targets,
      String service,
      String version,
      AnalysisConfig analysis,
      AutoRollbackSpec spec,
      String deploymentId) {

    public MonitorCall(
        ProviderRef router,
        List<Target> targets,
        String service,
        String version,
        AnalysisConfig analysis,
        AutoRollbackSpec spec) {
      this(router, targets, service, version, analysis, spec, null);
    }
  }

  record WarmUpCall(
      ProviderRef router,
      List<Target> live,
      Duration duration,
      Duration interval,
      BlueGreenOptions.WarmUp thresholds) {}

  /**
   * @param router the service's traffic router (the threshold judge reads its counters)
   * @param canary the canary's targets
   * @param stable the baseline: stable targets serving in the same windows
   * @param spec the analysis step
   * @param service the service's name, for metric queries
   * @param canaryVersion the version the canary runs
   * @param stableVersion the version the baseline runs, when known
   * @param analysis the service's metrics and their provider; null (a call scheduled before the
   *     sequential judge existed) means the threshold judge
   */
  record WatchCall(
      ProviderRef router,
      List<Target> canary,
      List<Target> stable,
      AnalysisSpec spec,
      String service,
      String canaryVersion,
      String stableVersion,
      AnalysisConfig analysis) {

    public WatchCall(
        ProviderRef router, List<Target> canary, List<Target> stable, AnalysisSpec spec) {
      this(router, canary, stable, spec, null, null, null, null);
    }
  }
}
