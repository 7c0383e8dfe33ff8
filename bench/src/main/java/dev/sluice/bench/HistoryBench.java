package dev.sluice.bench;

import dev.sluice.activities.analysis.AnalysisActivitiesImpl;
import dev.sluice.activities.analysis.WatchClock;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.CanaryStep;
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
import dev.sluice.workflows.activities.LedgerActivities;
import dev.sluice.workflows.common.TargetGroupWorkflowImpl;
import dev.sluice.workflows.testing.HistoryLengths;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code history}: how long the longest history of a deployment's runs (its workflow, its target
 * groups, a canary's promotion) gets, for a rolling, a canary and a blue-green deployment of an
 * in-memory fleet (the workflow tests' {@link InMemoryFleet}) on Temporal's time-skipping test
 * environment, so pauses, bakes and rollback windows take no time. Temporal warns at 10,240 events
 * a run and ends a run at 51,200. The deployment's own run is printed too: it grows with the number
 * of target groups, where a group's grows with its 50 targets.
 *
 * <p>Options: the fleet size (default 2000) and, for rolling, the batch size (default 25%).
 *
 * <p>{@code history72} ({@link #longCanary}): a canary whose analysis step lasts 72 hours with a
 * check every 30 s, watched by the real analysis activity ({@link AnalysisActivitiesImpl}, the
 * default sequential judge, over steady metrics from {@link FakeFleet#steady}) instead of the
 * in-memory fleet's instant verdict.
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

  /**
   * A canary of 20 in-memory targets (one canary) with the plan: 5%, an analysis of {@code hours}
   * with a check every {@code checkSeconds}, 100%. The analysis is the real activity; only its
   * clock is compressed: its waits between checks pass at once ({@link WatchClock}), so all 8,640
   * checks of 72 hours run — each fetch, judge step, heartbeat and evidence record — in seconds.
   * Temporal's own time is skipped as in {@code history}. That measures what a 72-hour bake costs
   * in history because the workflow sets no timer of its own while an analysis runs (it awaits the
   * activity or a control): the bake is one activity, and its checks live in heartbeats, which
   * Temporal keeps only as the activity's last details, not as events. The line also says how many
   * checks ran, how many attempts the activity took (a heartbeat timeout would retry it, which
   * would hide nothing from the history but would show here) and how many analysis points were
   * recorded.
   */
  static void longCanary(PrintStream out, int hours, int checkSeconds) throws Exception {
    List<Target> fleet = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      fleet.add(new Target("t" + i, "10.0.0." + i, 8080, null));
    }
    AnalysisSpec bake =
        new AnalysisSpec(
            Duration.ofHours(hours),
            Duration.ofSeconds(checkSeconds),
            null,
            null,
            null,
            null,
            null,
            null);
    DeploymentRequest request =
        request(fleet, Strategy.CANARY, RollingOptions.DEFAULT).toBuilder()
            .deploymentId("history-canary-" + hours + "h")
            .canary(
                new CanaryOptions(
                    List.of(CanaryStep.weight(5), CanaryStep.analyse(bake), CanaryStep.weight(100)),
                    IntOrPercent.percent(5)))
            .build();
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    WatchClock compressed =
        new WatchClock() {
          @Override
          public long millis() {
            return now.get();
          }

          @Override
          public void sleep(long millis) {
            now.addAndGet(millis);
          }
        };
    AtomicInteger points = new AtomicInteger();
    AtomicInteger intervals = new AtomicInteger();
    try (TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkerFactoryOptions(SluiceWorker.FACTORY_OPTIONS)
                .build())) {
      Worker worker = env.newWorker(QUEUE);
      for (StrategyRules each : Strategies.ALL) {
        worker.registerWorkflowImplementationTypes(each.workflowImplementation());
      }
      worker.registerWorkflowImplementationTypes(TargetGroupWorkflowImpl.class);
      InMemoryFleet memory = new InMemoryFleet(fleet, "1.0.0");
      worker.registerActivitiesImplementations(
          FakeFleet.fleetActivities(memory),
          FakeFleet.only(memory, LedgerActivities.class),
          new AnalysisActivitiesImpl(
              FakeFleet.providers(),
              (deployment, recorded) -> {
                intervals.incrementAndGet();
                points.addAndGet(recorded.size());
              },
              compressed));
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      long started = System.nanoTime();
      WorkflowStub workflow =
          client.newUntypedWorkflowStub(
              Strategies.of(Strategy.CANARY).workflowType(),
              WorkflowOptions.newBuilder()
                  .setWorkflowId(request.deploymentId())
                  .setTaskQueue(QUEUE)
                  .build());
      workflow.start(request);
      DeploymentResult result = workflow.getResult(DeploymentResult.class);
      double seconds = (System.nanoTime() - started) / 1e9;
      Map<String, Integer> runs = HistoryLengths.of(client, request.deploymentId());
      int max = runs.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      // Attempts of the analysis: ActivityTaskStarted is written when an attempt ends, with its
      // number; a retried attempt would show as 2 or more.
      int attempts = 0;
      List<HistoryEvent> events = client.fetchHistory(request.deploymentId()).getEvents();
      for (HistoryEvent event : events) {
        if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
          long scheduled = event.getActivityTaskStartedEventAttributes().getScheduledEventId();
          HistoryEvent what = events.get((int) scheduled - 1);
          if (what.getActivityTaskScheduledEventAttributes()
              .getActivityType()
              .getName()
              .equals("AnalysisWatch")) {
            attempts += event.getActivityTaskStartedEventAttributes().getAttempt();
          }
        }
      }
      out.printf(
          Locale.ROOT,
          "BENCH history strategy=canary hours=%d check_interval_s=%d max_events=%d"
              + " analysis_attempts=%d checks=%d analysis_points=%d runs=%d total_s=%.1f state=%s%n",
          hours,
          checkSeconds,
          max,
          attempts,
          intervals.get(),
          points.get(),
          runs.size(),
          seconds,
          result.state());
    }
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
          "BENCH history strategy=%s targets=%d max_events_per_run=%d deployment_run_events=%d"
              + " total_s=%.1f runs=%d total_events=%d state=%s%s%n",
          strategy.id().replace("-", ""),
          fleet.size(),
          max,
          // The deployment's own run: what grows with the number of target groups.
          runs.get(request.deploymentId()),
          seconds,
          runs.size(),
          total,
          result.state(),
          strategy == Strategy.ROLLING ? " batch=" + batchSize : "");
    }
  }
}
