package dev.sluice.bench;

import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import dev.sluice.worker.SluiceWorker;
import dev.sluice.workflows.Strategies;
import dev.sluice.workflows.StrategyRules;
import dev.sluice.workflows.common.TargetGroupWorkflowImpl;
import dev.sluice.workflows.testing.HistoryLengths;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code history}: how long the longest history of a deployment's runs (its workflow, its target
 * groups, a canary's promotion) gets, for a rolling, a canary and a blue-green deployment of an
 * in-memory fleet (the workflow tests' {@link InMemoryFleet}) on Temporal's time-skipping test
 * environment, so pauses, bakes and rollback windows take no time. Temporal warns at 10,240 events
 * a run and ends a run at 51,200.
 *
 * <p>Options: the fleet size (default 2000) and, for rolling, the batch size (default 25%).
 */
final class HistoryBench {

  private static final String QUEUE = "history-bench";

  private HistoryBench() {}

  static void run(PrintStream out, int targets, String batchSize) throws Exception {
    List<Target> fleet = new ArrayList<>();
    for (int i = 1; i <= targets; i++) {
      // Blue-green takes the first half as blue (live), the second as green (idle).
      String pool = i <= targets / 2 ? "blue" : "green";
      fleet.add(new Target("t" + i, "10.0." + (i / 250) + "." + (i % 250), 8080, pool));
    }
    RollingOptions rolling =
        new RollingOptions(IntOrPercent.parse(batchSize), null, null, null, null)
            .orElse(RollingOptions.DEFAULT);
    measure(out, Strategy.ROLLING, fleet, request(fleet, Strategy.ROLLING, rolling), batchSize);
    DeploymentRequest canary =
        request(fleet, Strategy.CANARY, rolling).toBuilder()
            // 5% canaries, the default plan (five weights, a 15-minute analysis after each).
            .canary(new CanaryOptions(null, IntOrPercent.percent(5)).orElse(CanaryOptions.DEFAULT))
            .build();
    measure(out, Strategy.CANARY, fleet, canary, batchSize);
    DeploymentRequest blueGreen =
        request(fleet, Strategy.BLUE_GREEN, rolling).toBuilder()
            // The default smoke checks, warm-up and rollback window; the old pool stopped after.
            .blueGreen(
                new BlueGreenOptions(null, null, null, null, null, null, true)
                    .orElse(BlueGreenOptions.DEFAULT))
            .build();
    measure(out, Strategy.BLUE_GREEN, fleet, blueGreen, batchSize);
  }

  private static DeploymentRequest request(
      List<Target> fleet, Strategy strategy, RollingOptions rolling) {
    return DeploymentRequest.builder()
        .deploymentId("history-" + strategy.id())
        .service(
            new ServiceDefinition(
                "checkout",
                fleet,
                ProviderRef.of("memory"),
                ProviderRef.of("memory"),
                null,
                strategy.id(),
                null))
        .version("2.0.0")
        .strategy(strategy.id())
        .rolling(rolling)
        .requestedBy("bench")
        .build();
  }

  private static void measure(
      PrintStream out,
      Strategy strategy,
      List<Target> fleet,
      DeploymentRequest request,
      String batchSize)
      throws Exception {
    StrategyRules rules = Strategies.of(strategy);
    try (TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkerFactoryOptions(SluiceWorker.FACTORY_OPTIONS)
                .build())) {
      Worker worker = env.newWorker(QUEUE);
      // Every strategy's workflow: a canary promotes through a rolling child.
      for (StrategyRules each : Strategies.ALL) {
        worker.registerWorkflowImplementationTypes(each.workflowImplementation());
      }
      worker.registerWorkflowImplementationTypes(TargetGroupWorkflowImpl.class);
      InMemoryFleet memory = new InMemoryFleet(fleet, "1.0.0").activePool("blue");
      worker.registerActivitiesImplementations(memory);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      long started = System.nanoTime();
      WorkflowStub workflow =
          client.newUntypedWorkflowStub(
              rules.workflowType(),
              WorkflowOptions.newBuilder()
                  .setWorkflowId(request.deploymentId())
                  .setTaskQueue(QUEUE)
                  .build());
      workflow.start(request);
      DeploymentResult result = workflow.getResult(DeploymentResult.class);
      double seconds = (System.nanoTime() - started) / 1e9;
      Map<String, Integer> runs = HistoryLengths.of(client, request.deploymentId());
      int max = runs.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      int total = runs.values().stream().mapToInt(Integer::intValue).sum();
      out.printf(
          Locale.ROOT,
          "BENCH history strategy=%s targets=%d max_events_per_run=%d total_s=%.1f runs=%d"
              + " total_events=%d state=%s%s%n",
          strategy.id().replace("-", ""),
          fleet.size(),
          max,
          seconds,
          runs.size(),
          total,
          result.state(),
          strategy == Strategy.ROLLING ? " batch=" + batchSize : "");
    }
  }
}
