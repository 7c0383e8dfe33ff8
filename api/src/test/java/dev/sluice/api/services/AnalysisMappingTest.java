package dev.sluice.api.services;

import static dev.sluice.api.services.StrategyOptionsTest.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.activities.StandardProviders;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.AutoRollbackBody;
import dev.sluice.api.services.ServiceSpec.ThresholdBody;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.ProviderRef;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalysisMappingTest {

  final AnalysisMapping mapping = new AnalysisMapping(StandardProviders.registry());

  @Test
  void ceilingsNameMetricsTheServiceHasInUnitsThatFit() {
    Problems problems = new Problems();

    List<AutoRollbackSpec.Threshold> ceilings =
        AnalysisMapping.ceilings(
            "autoRollback.thresholds",
            List.of(
                new ThresholdBody("errors", 0.05, null, null),
                new ThresholdBody("cpu", 0.9, null, null),
                new ThresholdBody("errors", 5.0, null, null),
                new ThresholdBody("latency", 500.0, "ratio", null)),
            AnalysisConfig.DEFAULT,
            problems);

    assertThat(ceilings)
        .containsExactly(new AutoRollbackSpec.Threshold("errors", 0.05, null, null));
    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError(
                "autoRollback.thresholds[1].metric",
                "\"cpu\" is not a metric; the service's metrics: [errors, latency]"),
            new FieldError(
                "autoRollback.thresholds[2].max", "a ratio ceiling is at most 1 (0.05 is 5%)"),
            new FieldError(
                "autoRollback.thresholds[3].unit",
                "latency is a value metric: its ceiling is in ms or s"));
  }

  @Test
  void monitoringIsStoredAsGivenAndItsIntervalFitsItsWindow() {
    Problems problems = new Problems();
    ProviderRef haproxy = ProviderRef.of("haproxy");

    AutoRollbackSpec given =
        mapping.autoRollback(
            "autoRollback",
            new AutoRollbackBody("1m", null, null, null),
            AnalysisConfig.DEFAULT,
            haproxy,
            problems);
    mapping.autoRollback(
        "autoRollback",
        new AutoRollbackBody("1m", "2m", null, null),
        AnalysisConfig.DEFAULT,
        haproxy,
        problems);

    assertThat(given.window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(given.interval()).isNull();
    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError(
                "autoRollback.interval",
                "the interval (2m) must not be longer than the window (1m)"));
    assertThat(AnalysisMapping.autoRollbackSpec(given))
        .isEqualTo(new AutoRollbackBody("1m", null, null, null));
  }

  @Test
  void noAnalysisSettingsStayNone() {
    assertThat(mapping.analysis(null, ProviderRef.of("haproxy"), new Problems())).isNull();
    assertThat(AnalysisMapping.analysisSpec(null)).isNull();
  }
}
