package dev.sluice.activities.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.activities.analysis.ThresholdMonitor.Ceiling;
import dev.sluice.activities.analysis.ThresholdMonitor.Reading;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.MetricCheck;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.workflows.activities.AnalysisActivities.MonitorCall;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The post-deploy ceilings: which apply, in which unit, and what counts as a breach. */
class ThresholdMonitorTest {

  static final List<Target> LIVE = List.of(new Target("t1", "127.0.0.1", 9001, null));

  static MonitorCall call(AnalysisConfig analysis) {
    return new MonitorCall(null, LIVE, "checkout", "2.0.0", analysis, AutoRollbackSpec.DEFAULT);
  }

  @Test
  void theSeedsCeilingsApplyToTheMetricsTheServiceHasAndCpuIsSkippedOnHaproxyCounters() {
    List<String> skipped = new ArrayList<>();
    List<Ceiling> ceilings =
        ThresholdMonitor.ceilings(
            AutoRollbackSpec.DEFAULT, AnalysisConfig.DEFAULT.effectiveMetrics(), skipped);

    assertThat(ceilings).extracting(c -> c.metric().name()).containsExactly("errors", "latency");
    assertThat(ceilings.get(0).max()).isEqualTo(0.05);
    assertThat(ceilings.get(1).max()).isEqualTo(1000);
    assertThat(skipped).containsExactly("cpu");
  }

  @Test
  void aCeilingInMillisecondsIsConvertedToAMetricMeasuredInSeconds() {
    List<MetricCheck> metrics =
        List.of(MetricCheck.of("latency", MetricCheck.SAMPLES).withUnit("s"));
    List<Ceiling> ceilings =
        ThresholdMonitor.ceilings(AutoRollbackSpec.DEFAULT, metrics, new ArrayList<>());

    assertThat(ceilings.get(0).max()).isEqualTo(1.0);
    // p99 of 1..100 ms-ish samples in seconds: 0.99 s is within, 1.2 s above.
    List<Double> fast = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      fast.add(i / 100.0);
    }
    Reading within = read(ceilings.get(0), Sample.samples(fast, "q"));
    assertThat(within.breached()).isFalse();
    assertThat(within.value()).isEqualTo(0.99);
    fast.set(99, 1.5);
    fast.set(98, 1.2);
    Reading above = read(ceilings.get(0), Sample.samples(fast, "q"));
    assertThat(above.breached()).isTrue();
    assertThat(above.text()).contains("p99").contains("above");
  }

  @Test
  void anErrorRatioOverTheCeilingIsABreachButOnlyWithEnoughRequests() {
    Ceiling errors =
        ThresholdMonitor.ceilings(
                AutoRollbackSpec.DEFAULT, AnalysisConfig.defaultMetrics(), new ArrayList<>())
            .get(0);

    Reading breach = read(errors, Sample.ratio(70, 1000, "counters"));
    assertThat(breach.breached()).isTrue();
    assertThat(breach.text()).isEqualTo("errors 7.00% (70/1000) above the 5.00% ceiling");

    Reading fine = read(errors, Sample.ratio(10, 1000, "counters"));
    assertThat(fine.breached()).isFalse();

    Reading tooFew = read(errors, Sample.ratio(5, 10, "counters"));
    assertThat(tooFew.breached()).isFalse();
    assertThat(tooFew.value()).isNull();
    assertThat(tooFew.text()).contains("fewer than 20");
  }

  @Test
  void missingDataIsNeverABreach() {
    Ceiling errors =
        ThresholdMonitor.ceilings(
                AutoRollbackSpec.DEFAULT, AnalysisConfig.defaultMetrics(), new ArrayList<>())
            .get(0);

    Reading noData = read(errors, Sample.noData("warming up"));
    Reading error = read(errors, Sample.error("socket refused"));

    assertThat(noData.breached()).isFalse();
    assertThat(noData.value()).isNull();
    assertThat(noData.text()).contains("warming up");
    assertThat(error.breached()).isFalse();
    assertThat(error.text()).contains("socket refused");
  }

  private static Reading read(Ceiling ceiling, Sample sample) {
    MetricProvider provider = query -> sample;
    return ThresholdMonitor.read(
        provider, call(AnalysisConfig.DEFAULT), ceiling, AutoRollbackSpec.DEFAULT);
  }
}
