package dev.sluice.worker;

import dev.sluice.activities.DeployActivitiesImpl;
import dev.sluice.activities.HealthActivitiesImpl;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.TrafficActivitiesImpl;
import dev.sluice.activities.analysis.AnalysisActivitiesImpl;
import dev.sluice.activities.dualwrite.DualWriteActivitiesImpl;
import dev.sluice.activities.flags.FlagActivitiesImpl;
import dev.sluice.activities.ledger.LedgerActivitiesImpl;
import dev.sluice.activities.migrations.Datasources;
import dev.sluice.activities.migrations.MigrationActivitiesImpl;
import dev.sluice.ledger.Ledger;
import dev.sluice.worker.metrics.ActivityMetrics;
import dev.sluice.workflows.Strategies;
import dev.sluice.workflows.StrategyRules;
import dev.sluice.workflows.common.TargetGroupWorkflowImpl;
import dev.sluice.workflows.flags.FlagRolloutWorkflowImpl;
import dev.sluice.workflows.migrations.DualWriteMigrationWorkflowImpl;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflowImpl;
import dev.sluice.workflows.release.ReleaseWorkflowImpl;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Temporal worker polling Sluice's task queue with every workflow and activity registered. Runs
 * standalone ({@code sluice worker}) or inside the API process.
 */
public final class SluiceWorker implements AutoCloseable {

  /** Every workflow implementation Sluice runs: each strategy's, then the others. */
  public static final List<Class<?>> WORKFLOWS =
      Stream.concat(
              Strategies.ALL.stream().map(StrategyRules::workflowImplementation),
              Stream.of(
                  FlagRolloutWorkflowImpl.class,
                  SchemaMigrationWorkflowImpl.class,
                  DualWriteMigrationWorkflowImpl.class,
                  ReleaseWorkflowImpl.class,
                  // A large deployment's work on its targets, in child workflows of bounded size.
                  TargetGroupWorkflowImpl.class))
          .toList();

  /**
   * A target group upgrades its batch's targets in parallel, one workflow thread each: a batch of
   * 500 targets is ten groups of 51 threads. A canary waiting on its analysis parks two or three
   * threads. Temporal's defaults (600 threads, 600 cached workflows) would evict cached workflows
   * and replay their whole histories on every task once more than a few hundred deployments run at
   * once (correct, but it costs the worker's CPU); see docs/running-at-scale.md.
   */
  public static final WorkerFactoryOptions FACTORY_OPTIONS =
      WorkerFactoryOptions.newBuilder()
          .setWorkflowCacheSize(2_000)
          .setMaxWorkflowThreadCount(6_000)
          .build();

  /** How one worker polls and how much it runs at once; see the fields' comments. */
  public static final WorkerOptions WORKER_OPTIONS =
      WorkerOptions.newBuilder()
          // An analysis, a warm-up or a post-deploy watch holds its slot for its whole window
          // while it mostly sleeps between checks: a worker watching 1,000 canaries needs 1,000
          // slots for the watches alone, or the deploys, health checks and ledger writes queue
          // behind them. Idle slots cost nothing (threads are made on demand).
          .setMaxConcurrentActivityExecutionSize(2_000)
          .build();

  private static final Logger LOG = LoggerFactory.getLogger(SluiceWorker.class);

  private final WorkerFactory factory;
  private final String taskQueue;

  private SluiceWorker(WorkerFactory factory, String taskQueue) {
    this.factory = factory;
    this.taskQueue = taskQueue;
  }

  /**
   * Registers everything on {@code taskQueue} and starts polling; every activity attempt is timed
   * into {@code metrics} ({@link ActivityMetrics}).
   */
  public static SluiceWorker start(
      WorkflowClient client,
      String taskQueue,
      ProviderRegistry providers,
      Ledger ledger,
      Datasources datasources,
      PrometheusRegistry metrics) {
    WorkerFactory factory =
        WorkerFactory.newInstance(
            client,
            WorkerFactoryOptions.newBuilder(FACTORY_OPTIONS)
                .setWorkerInterceptors(new ActivityMetrics(metrics))
                .build());
    Worker worker = factory.newWorker(taskQueue, WORKER_OPTIONS);
    for (Class<?> workflow : WORKFLOWS) {
      worker.registerWorkflowImplementationTypes(workflow);
    }
    worker.registerActivitiesImplementations(
        new TrafficActivitiesImpl(providers),
        new DeployActivitiesImpl(providers),
        new HealthActivitiesImpl(providers),
        new LedgerActivitiesImpl(ledger),
        new AnalysisActivitiesImpl(providers, ledger::recordAnalysis),
        new FlagActivitiesImpl(ledger.flagStore()),
        new MigrationActivitiesImpl(datasources),
        new DualWriteActivitiesImpl());
    factory.start();
    LOG.info(
        "Worker polling task queue '{}' on namespace '{}'",
        taskQueue,
        client.getOptions().getNamespace());
    return new SluiceWorker(factory, taskQueue);
  }

  public String taskQueue() {
    return taskQueue;
  }

  /** Stops polling and lets running activities finish (up to 30 s). */
  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    if (!factory.isTerminated()) {
      factory.shutdownNow();
    }
  }
}
