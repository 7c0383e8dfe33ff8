package dev.sluice.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.activities.analysis.AnalysisActivitiesImpl;
import dev.sluice.activities.analysis.WatchClock;
import dev.sluice.activities.metrics.tallystats.TallyStatsProvider;
import dev.sluice.activities.traffic.tally.TallyBalancer;
import dev.sluice.activities.traffic.tally.TallyBalancer.Behaviour;
import dev.sluice.activities.traffic.tally.TallyRouter;
import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.workflows.activities.AnalysisActivities;
import dev.sluice.workflows.activities.AnalysisActivities.MonitorCall;
import dev.sluice.workflows.activities.AnalysisActivities.WarmUpCall;
import dev.sluice.workflows.activities.AnalysisActivities.WatchCall;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Adding a traffic router and its metrics is its packages plus registration lines: the test-only
 * {@code tally} router and {@code tally-stats} provider (in {@code traffic.tally} and {@code
 * metrics.tallystats} of the test sources) are registered beside the standard adapters, and every
 * analysis the activity runs — the sequential judge, the threshold judge, the blue-green warm-up,
 * post-deploy monitoring — reads their metrics, with no other class knowing they exist.
 */
class RegisteringAnAdapterTest {

  static final Target CANARY = new Target("c1", "127.0.0.1", 9001, null);
  static final Target STABLE_1 = new Target("s1", "127.0.0.1", 9002, null);
  static final Target STABLE_2 = new Target("s2", "127.0.0.1", 9003, null);
  static final Behaviour GOOD = new Behaviour(200, 0.0, 20);
  static final Behaviour FAILING = new Behaviour(200, 0.3, 20);

  /** The standard adapters plus the new ones: what StandardProviders would say with two lines. */
  static ProviderRegistry registry() {
    return StandardProviders.registry()
        .router(TallyRouter.TYPE, TallyRouter::fromRef, TallyStatsProvider.TYPE)
        .metrics(TallyStatsProvider.TYPE, TallyStatsProvider::fromRef);
  }

  private final String balancerName = "lb-" + UUID.randomUUID();
  private final TallyBalancer balancer = TallyBalancer.named(balancerName);
  private final ProviderRef router =
      new ProviderRef(TallyRouter.TYPE, Map.of("balancer", balancerName));
  private final List<String> recordedFor = new CopyOnWriteArrayList<>();
  private final List<AnalysisPoint> recorded = new CopyOnWriteArrayList<>();
  private TestActivityEnvironment environment;
  private AnalysisActivities analysis;

  @BeforeEach
  void start() {
    analysis = activities(registry());
  }

  @AfterEach
  void stop() {
    environment.close();
  }

  /** The analysis activity over {@code providers}, run as a worker would, without retries. */
  private AnalysisActivities activities(ProviderRegistry providers) {
    return activities(providers, WatchClock.SYSTEM);
  }

  /** The same, its windows timed by {@code clock}. */
  private AnalysisActivities activities(ProviderRegistry providers, WatchClock clock) {
    if (environment != null) {
      environment.close();
    }
    environment = TestActivityEnvironment.newInstance();
    environment.registerActivitiesImplementations(
        new AnalysisActivitiesImpl(
            providers,
            (deploymentId, points) -> {
              recordedFor.add(deploymentId);
              recorded.addAll(points);
            },
            clock));
    return environment.newActivityStub(
        AnalysisActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(1))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build());
  }

  @Test
  void aRoutersRegistrationNamesTheMetricsOfServicesWhoseAnalysisNamesNone() {
    ProviderRegistry providers = registry();
    ProviderRef prometheus = new ProviderRef("prometheus", Map.of("url", "http://127.0.0.1:9090"));

    assertThat(providers.metricProviderFor(AnalysisConfig.DEFAULT, router))
        .isEqualTo(new ProviderRef(TallyStatsProvider.TYPE, router.settings()));
    assertThat(providers.metricProviderFor(new AnalysisConfig(prometheus, null, null), router))
        .as("a provider the analysis names wins")
        .isEqualTo(prometheus);
    assertThat(providers.defaultMetricProvider(ProviderRef.of("no-such-router"))).isNull();
    assertThat(
            providers
                .metrics(providers.defaultMetricProvider(router))
                .cannotServe("latency", Kind.SAMPLES))
        .as("what the provider cannot serve, it says itself")
        .contains("keeps means only");
  }

  /** c1 (2.0.0) analysed against s1 and s2 (1.0.0) at one check a second, by {@code judge}. */
  private WatchCall canaryAgainstStable(Duration duration, String judge) {
    return new WatchCall(
        router,
        List.of(CANARY),
        List.of(STABLE_1, STABLE_2),
        new AnalysisSpec(
            duration, Duration.ofSeconds(1), null, null, null, null, null, null, judge),
        "shop",
        "2.0.0",
        "1.0.0",
        AnalysisConfig.DEFAULT);
  }

  @Test
  void theSequentialJudgeFailsABadCanaryOnTheNewRoutersMetrics() {
    balancer.serve("c1", FAILING).serve("s1", GOOD).serve("s2", GOOD);

    AnalysisResult result =
        analysis.watch(canaryAgainstStable(Duration.ofSeconds(30), AnalysisSpec.SEQUENTIAL));

    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.reason()).startsWith("errors FAIL");
  }

  @Test
  void eachIntervalsReadingsAndTheJudgesStandingAreRecordedForTheDeployment() {
    balancer.serve("c1", FAILING).serve("s1", GOOD).serve("s2", GOOD);

    analysis.watch(canaryAgainstStable(Duration.ofSeconds(30), AnalysisSpec.SEQUENTIAL));

    assertThat(recordedFor).isNotEmpty().allMatch(id -> id.equals(recordedFor.get(0)));
    List<AnalysisPoint> errors =
        recorded.stream().filter(p -> p.metric().equals("errors")).toList();
    assertThat(errors).extracting(AnalysisPoint::interval).startsWith(0).isSorted();
    assertThat(errors)
        .allSatisfy(
            p -> {
              assertThat(p.run()).isNotBlank();
              assertThat(p.kind()).isEqualTo(AnalysisPoint.CANARY);
              assertThat(p.measure()).isEqualTo("rate");
              assertThat(p.canary()).as("the canary's error rate").isCloseTo(0.3, within(0.1));
              assertThat(p.baseline()).as("the baseline's error rate").isZero();
              assertThat(p.canaryRequests()).as("requests the canary served").isPositive();
              assertThat(p.baselineRequests()).as("requests the baseline served").isPositive();
              assertThat(p.actualWeight()).as("the canary's share").isStrictlyBetween(0.0, 100.0);
            });
    AnalysisPoint last = errors.get(errors.size() - 1);
    assertThat(last.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(last.pValue()).isLessThanOrEqualTo(last.threshold());
    assertThat(last.details()).isNotBlank();
  }

  @Test
  void aGoodCanaryRunToItsEndRecordsTheJudgesLookAndThePowerItsWindowHad() {
    AtomicLong now = new AtomicLong(1_000_000);
    // Waits between windows pass at once: the 20 s analysis is twenty 1 s windows, judged now.
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
    AnalysisActivities fast = activities(registry(), compressed);
    // 1% of requests fail on every server: errors to compare, none of them the canary's fault.
    Behaviour usual = new Behaviour(200, 0.01, 20);
    balancer.serve("c1", usual).serve("s1", usual).serve("s2", usual);

    AnalysisResult result =
        fast.watch(canaryAgainstStable(Duration.ofSeconds(20), AnalysisSpec.SEQUENTIAL));

    assertThat(result.verdict()).isEqualTo(Verdict.PASS);
    assertThat(result.checks()).isEqualTo(20);
    assertThat(recorded).filteredOn(p -> p.interval() < 19).noneMatch(AnalysisPoint::concluded);
    AnalysisPoint errors = lastPoint("errors");
    assertThat(errors.interval()).isEqualTo(19);
    assertThat(errors.verdict()).isEqualTo(Verdict.PASS);
    assertThat(errors.details()).startsWith("not enough evidence of a regression");
    AnalysisPoint.Conclusion look = errors.conclusion();
    assertThat(look).as("the last interval carries the judge's look at the end").isNotNull();
    assertThat(look.finalPValue()).isBetween(0.0, 1.0);
    assertThat(look.finalThreshold())
        .as("the look's share of alpha, beside the sequential share")
        .isPositive()
        .isLessThan(AnalysisConfig.DEFAULT_ALPHA);
    // 40 canary errors in 4,000 requests against 80 in 8,000: the window could have caught an
    // error rate some way above the baseline's, as the step's reason says.
    assertThat(look.detectable()).isGreaterThan(1.0);
    assertThat(result.reason())
        .contains(
            String.format(Locale.ROOT, "a canary rate ×%.2f the baseline's", look.detectable()));
    AnalysisPoint latency = lastPoint("latency");
    assertThat(latency.conclusion()).isNotNull();
    assertThat(latency.conclusion().finalPValue()).isBetween(0.0, 1.0);
  }

  /** The last point recorded for {@code metric}. */
  private AnalysisPoint lastPoint(String metric) {
    List<AnalysisPoint> series = recorded.stream().filter(p -> p.metric().equals(metric)).toList();
    assertThat(series).as(metric).isNotEmpty();
    return series.get(series.size() - 1);
  }

  @Test
  void theThresholdJudgeReadsTheNewRoutersMetrics() {
    balancer.serve("c1", FAILING).serve("s1", GOOD).serve("s2", GOOD);

    AnalysisResult result =
        analysis.watch(canaryAgainstStable(Duration.ofSeconds(10), AnalysisSpec.THRESHOLD));

    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.checks()).isEqualTo(1);
    assertThat(result.reason()).isEqualTo("canary error rate 30.00% above the ceiling 5.00%");
  }

  @Test
  void theBlueGreenWarmUpReadsTheNewRoutersMetrics() {
    balancer.serve("s1", GOOD).serve("s2", GOOD);

    AnalysisResult result =
        analysis.warmUp(
            new WarmUpCall(
                router,
                List.of(STABLE_1, STABLE_2),
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                BlueGreenOptions.WarmUp.DEFAULT));

    assertThat(result.verdict()).isEqualTo(Verdict.PASS);
    assertThat(result.checks()).isEqualTo(2);
    assertThat(result.reason()).isEqualTo("new pool 0.00% errors, 20 ms");
  }

  @Test
  void aWarmUpOnPerPeriodLateMetricsReadsOnlyWholeWindowsAfterItsStart() {
    balancer.serve("s1", GOOD);
    ProviderRef late =
        new ProviderRef(
            TallyRouter.TYPE, Map.of("balancer", balancerName, "resolution", "1s", "delay", "1s"));

    AnalysisResult judged =
        analysis.warmUp(
            new WarmUpCall(
                late,
                List.of(STABLE_1),
                Duration.ofSeconds(2),
                Duration.ofMillis(250),
                BlueGreenOptions.WarmUp.DEFAULT));
    AnalysisResult tooShort =
        analysis.warmUp(
            new WarmUpCall(
                late,
                List.of(STABLE_1),
                Duration.ofMillis(500),
                Duration.ofMillis(250),
                BlueGreenOptions.WarmUp.DEFAULT));

    // Windows of 1s (not 250 ms), the first judged once it is 1s old: at 2s and at 3s.
    assertThat(judged.verdict()).isEqualTo(Verdict.PASS);
    assertThat(judged.checks()).isEqualTo(2);
    assertThat(tooShort.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(tooShort.checks()).isZero();
    assertThat(tooShort.reason())
        .isEqualTo(
            "no window completed: the router's metrics answer windows of 1s, 1s late, and the"
                + " warm-up lasts 500ms");
  }

  @Test
  void postDeployMonitoringReadsTheNewRoutersMetrics() {
    balancer.serve("c1", FAILING);

    AnalysisResult result =
        analysis.monitor(
            new MonitorCall(
                router,
                List.of(CANARY),
                "shop",
                "2.0.0",
                AnalysisConfig.DEFAULT,
                new AutoRollbackSpec(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(1),
                    List.of(new AutoRollbackSpec.Threshold("errors", 0.05, "ratio", null)),
                    20)));

    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.reason()).startsWith("errors 30.00% (60/200) above the 5.00% ceiling");
  }

  @Test
  void postDeployMonitoringRecordsEachCheckAgainstItsCeilingForTheNamedDeployment() {
    balancer.serve("c1", FAILING);

    analysis.monitor(
        new MonitorCall(
            router,
            List.of(CANARY),
            "shop",
            "2.0.0",
            AnalysisConfig.DEFAULT,
            new AutoRollbackSpec(
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                List.of(new AutoRollbackSpec.Threshold("errors", 0.05, "ratio", null)),
                20),
            "dep-parent"));

    assertThat(recordedFor).containsOnly("dep-parent");
    assertThat(recorded)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(AnalysisPoint.MONITOR);
              assertThat(p.metric()).isEqualTo("errors");
              assertThat(p.canary()).isCloseTo(0.3, within(0.01));
              assertThat(p.baseline()).isNull();
              assertThat(p.threshold()).isEqualTo(0.05);
              assertThat(p.verdict()).isEqualTo(Verdict.FAIL);
            });
  }

  @Test
  void aRouterRegisteredWithoutMetricsLeavesTheThresholdJudgeAConfigurationError() {
    AnalysisActivities bare = activities(registry().router("bare", TallyRouter::fromRef));
    balancer.serve("s1", GOOD);

    assertThatThrownBy(
            () ->
                bare.warmUp(
                    new WarmUpCall(
                        new ProviderRef("bare", Map.of("balancer", balancerName)),
                        List.of(STABLE_1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(1),
                        BlueGreenOptions.WarmUp.DEFAULT)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo("ConfigurationError");
              assertThat(failure.getOriginalMessage())
                  .isEqualTo(
                      "the threshold judge and the blue-green warm-up read the traffic router's"
                          + " counters, and the traffic router bare has no default metric"
                          + " provider");
            });
  }
}
