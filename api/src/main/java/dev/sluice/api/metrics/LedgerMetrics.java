package dev.sluice.api.metrics;

import dev.sluice.ledger.DeploymentTally;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.VerdictTally;
import dev.sluice.model.DeploymentState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployment and verdict counts read from the ledger at each scrape: two grouped counts, one row
 * per service × strategy × state (or verdict), whatever the number of deployments. The ledger is
 * the system of record every API process and worker writes, so the figures are the same from any
 * API process, survive restarts and include what workers in other processes did — which counters
 * kept in this process could not. When the ledger cannot be read, the scrape still answers (the
 * process' own metrics matter most then) with {@code sluice_ledger_up 0}.
 */
final class LedgerMetrics implements MultiCollector {

  private static final Logger LOG = LoggerFactory.getLogger(LedgerMetrics.class);

  static final String STARTED = "sluice_deployments_started";
  static final String FINISHED = "sluice_deployments_finished";
  static final String ACTIVE = "sluice_deployments_active";
  static final String ANALYSES = "sluice_canary_analyses";
  static final String UP = "sluice_ledger_up";
  static final String READ_SECONDS = "sluice_ledger_scrape_duration_seconds";

  private final Ledger ledger;

  LedgerMetrics(Ledger ledger) {
    this.ledger = ledger;
  }

  @Override
  public MetricSnapshots collect() {
    long start = System.nanoTime();
    List<MetricSnapshot> snapshots = new ArrayList<>();
    boolean up;
    try {
      List<DeploymentTally> deployments = ledger.deploymentTallies();
      List<VerdictTally> verdicts = ledger.verdictTallies();
      snapshots.addAll(deploymentSnapshots(deployments));
      snapshots.add(verdictSnapshot(verdicts));
      up = true;
    } catch (RuntimeException e) {
      LOG.warn("Sluice's metrics could not read the ledger", e);
      snapshots.clear();
      up = false;
    }
    snapshots.add(
        gauge(UP, "1 when this scrape could read the ledger's counts, else 0", null, up ? 1 : 0));
    snapshots.add(
        gauge(
            READ_SECONDS,
            "Time this scrape spent reading deployment and verdict counts from the ledger",
            Unit.SECONDS,
            (System.nanoTime() - start) / 1e9));
    return new MetricSnapshots(snapshots);
  }

  private static List<MetricSnapshot> deploymentSnapshots(List<DeploymentTally> tallies) {
    // Several states fold into one started series: sum them per service and strategy.
    Map<List<String>, Long> started = new TreeMap<>(LedgerMetrics::compare);
    CounterSnapshot.Builder finished =
        CounterSnapshot.builder()
            .name(FINISHED)
            .help(
                "Deployments that ended, by service, strategy and outcome (succeeded, failed,"
                    + " rolled_back, aborted), from the ledger");
    GaugeSnapshot.Builder active =
        GaugeSnapshot.builder()
            .name(ACTIVE)
            .help(
                "Deployments in progress, by service, strategy and state (pending, running,"
                    + " paused), from the ledger");
    for (DeploymentTally t : tallies) {
      String strategy = t.strategy() == null ? "" : t.strategy();
      started.merge(List.of(t.service(), strategy), t.count(), Long::sum);
      String state = t.state().toLowerCase(Locale.ROOT);
      Labels labels =
          Labels.of(
              "service",
              t.service(),
              "strategy",
              strategy,
              isFinal(t.state()) ? "outcome" : "state",
              state);
      if (isFinal(t.state())) {
        finished.dataPoint(
            CounterDataPointSnapshot.builder().labels(labels).value(t.count()).build());
      } else {
        active.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(t.count()).build());
      }
    }
    CounterSnapshot.Builder startedSnapshot =
        CounterSnapshot.builder()
            .name(STARTED)
            .help(
                "Deployments started (recorded in the ledger, whatever became of them), by"
                    + " service and strategy");
    started.forEach(
        (key, count) ->
            startedSnapshot.dataPoint(
                CounterDataPointSnapshot.builder()
                    .labels(Labels.of("service", key.get(0), "strategy", key.get(1)))
                    .value(count)
                    .build()));
    return List.of(startedSnapshot.build(), finished.build(), active.build());
  }

  private static MetricSnapshot verdictSnapshot(List<VerdictTally> tallies) {
    CounterSnapshot.Builder analyses =
        CounterSnapshot.builder()
            .name(ANALYSES)
            .help(
                "Canary analyses the judge decided, by service and verdict (pass, fail,"
                    + " inconclusive), from the ledger's canary.analysis events");
    for (VerdictTally t : tallies) {
      analyses.dataPoint(
          CounterDataPointSnapshot.builder()
              .labels(
                  Labels.of(
                      "service", t.service(), "verdict", t.verdict().toLowerCase(Locale.ROOT)))
              .value(t.count())
              .build());
    }
    return analyses.build();
  }

  private static GaugeSnapshot gauge(String name, String help, Unit unit, double value) {
    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
    if (unit != null) {
      gauge.unit(unit);
    }
    return gauge.dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build();
  }

  private static boolean isFinal(String state) {
    try {
      return DeploymentState.valueOf(state).isFinal();
    } catch (IllegalArgumentException unknown) {
      return false;
    }
  }

  private static int compare(List<String> a, List<String> b) {
    int c = a.get(0).compareTo(b.get(0));
    return c != 0 ? c : a.get(1).compareTo(b.get(1));
  }
}
