package dev.sluice.workflows.testing;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Target;
import dev.sluice.model.Verdict;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.Deployer.TargetRuntime;
import dev.sluice.ports.HealthChecker.HealthResult;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import dev.sluice.workflows.activities.AnalysisActivities;
import dev.sluice.workflows.activities.DeployActivities;
import dev.sluice.workflows.activities.HealthActivities;
import dev.sluice.workflows.activities.LedgerActivities;
import dev.sluice.workflows.activities.TrafficActivities;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory fleet behind an in-memory load balancer, implementing the activity interfaces for
 * workflow-logic tests. Records every operation and the most targets ever out of rotation at once.
 * Thread-safe: the test environment runs activities on several threads.
 */
public final class InMemoryFleet
    implements TrafficActivities,
        DeployActivities,
        HealthActivities,
        LedgerActivities,
        AnalysisActivities {

  private final Map<String, String> versions = new LinkedHashMap<>();
  private final Set<String> outOfRotation = new HashSet<>();
  private final Set<String> badVersions = new HashSet<>();
  private final Set<String> badTargetVersions = new HashSet<>();
  private final List<String> operations = new ArrayList<>();
  private final Map<String, Integer> deploysByRequest = new HashMap<>();
  private final List<LedgerEntry> ledger = new ArrayList<>();
  private int failingRecords;
  private final List<ChildEntry> childEntries = new ArrayList<>();
  private final Map<String, CountDownLatch> deployGates = new HashMap<>();
  private final Map<String, CountDownLatch> deployStarted = new HashMap<>();
  private final Set<String> brokenDrains = new HashSet<>();
  private final Map<String, Integer> flakyDrains = new HashMap<>();
  private boolean describeBroken;
  private final Set<String> stopped = new HashSet<>();
  private final Set<String> failingSmoke = new HashSet<>();
  private String lockHolder;
  private Integer canaryPercent;
  private final List<Integer> splits = new ArrayList<>();
  private String activePool;
  private final Deque<AnalysisResult> scriptedAnalyses = new ArrayDeque<>();
  private AnalysisResult warmUpResult = new AnalysisResult(Verdict.PASS, 2, 0, "fine");
  private AnalysisResult monitorResult = new AnalysisResult(Verdict.PASS, 5, 0, "within");
  private final List<List<String>> monitored = new ArrayList<>();
  private boolean holdAnalysis;
  private final List<Duration> analysedFor = new ArrayList<>();
  private final CountDownLatch analysisStarted = new CountDownLatch(1);
  private final List<String> reopened = new ArrayList<>();
  private int maxOutOfRotation;

  public InMemoryFleet(List<Target> fleet, String version) {
    for (Target target : fleet) {
      versions.put(target.id(), version);
    }
  }

  /** Every target running {@code version} fails its health check. */
  public synchronized InMemoryFleet badVersion(String version) {
    badVersions.add(version);
    return this;
  }

  /** Only {@code targetId} running {@code version} fails its health check. */
  public synchronized InMemoryFleet badOn(String targetId, String version) {
    badTargetVersions.add(targetId + "@" + version);
    return this;
  }

  /** Every drain of {@code targetId} fails, as when the router cannot be reached. */
  public synchronized InMemoryFleet drainFails(String targetId) {
    brokenDrains.add(targetId);
    return this;
  }

  /**
   * The next {@code times} drains of {@code targetId} fail as a router socket error does (a
   * retryable activity failure), then drains work again: a router that was briefly unreachable.
   */
  public synchronized InMemoryFleet drainFailsTimes(String targetId, int times) {
    flakyDrains.put(targetId, times);
    return this;
  }

  /**
   * The next {@code times} ledger records fail as a lost database connection does (a retryable
   * failure), then records work again: a ledger database briefly down.
   */
  public synchronized InMemoryFleet recordFailsTimes(int times) {
    failingRecords = times;
    return this;
  }

  /** Asking what the fleet runs fails for good, as with deployer settings no retry can fix. */
  public synchronized InMemoryFleet describeFails() {
    describeBroken = true;
    return this;
  }

  /** Smoke tests of {@code path} fail. */
  public synchronized InMemoryFleet smokeFails(String path) {
    failingSmoke.add(path);
    return this;
  }

  /** The next analyses answer these, in order; afterwards they pass. */
  public synchronized InMemoryFleet analyses(AnalysisResult... results) {
    scriptedAnalyses.addAll(List.of(results));
    return this;
  }

  /** Analyses run until cancelled (a promote or an abort during the bake). */
  public synchronized InMemoryFleet holdAnalysis() {
    holdAnalysis = true;
    return this;
  }

  public synchronized InMemoryFleet warmUpAnswers(AnalysisResult result) {
    warmUpResult = result;
    return this;
  }

  public synchronized InMemoryFleet activePool(String pool) {
    activePool = pool;
    return this;
  }

  public void awaitAnalysisStarted() throws InterruptedException {
    if (!analysisStarted.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("no analysis started");
    }
  }

  /** Deploys to {@code targetId} block until {@link #release} is called. */
  public synchronized InMemoryFleet holdDeploy(String targetId) {
    deployGates.put(targetId, new CountDownLatch(1));
    deployStarted.put(targetId, new CountDownLatch(1));
    return this;
  }

  public void release(String targetId) {
    CountDownLatch gate;
    synchronized (this) {
      gate = deployGates.get(targetId);
    }
    gate.countDown();
  }

  /** Waits until a held deploy to {@code targetId} has started. */
  public void awaitDeployStarted(String targetId) throws InterruptedException {
    CountDownLatch started;
    synchronized (this) {
      started = deployStarted.get(targetId);
    }
    if (!started.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("deploy to " + targetId + " never started");
    }
  }

  @Override
  public synchronized DrainResult drain(RouterCall call) {
    if (brokenDrains.contains(call.target().id())) {
      operations.add("drain failed " + call.target().id());
      throw new IllegalStateException("router unreachable");
    }
    int failuresLeft = flakyDrains.getOrDefault(call.target().id(), 0);
    if (failuresLeft > 0) {
      flakyDrains.put(call.target().id(), failuresLeft - 1);
      operations.add("drain failed " + call.target().id());
      throw new IllegalStateException("router socket: connection refused");
    }
    outOfRotation.add(call.target().id());
    maxOutOfRotation = Math.max(maxOutOfRotation, outOfRotation.size());
    operations.add("drain " + call.target().id());
    return new DrainResult(true, 0, 5);
  }

  @Override
  public synchronized EnableResult enable(RouterCall call) {
    outOfRotation.remove(call.target().id());
    operations.add("enable " + call.target().id());
    return new EnableResult(true, "UP");
  }

  @Override
  public synchronized void stop(StopCall call) {
    operations.add("stop " + call.target().id());
    stopped.add(call.target().id());
  }

  public synchronized Set<String> stopped() {
    return Set.copyOf(stopped);
  }

  @Override
  public synchronized void split(SplitCall call) {
    canaryPercent = call.percent();
    splits.add(call.percent());
    operations.add("split " + call.percent());
  }

  @Override
  public synchronized void switchPool(PoolCall call) {
    activePool = call.pool();
    operations.add("switch " + call.pool());
  }

  @Override
  public synchronized String activePool(PoolCall call) {
    return activePool;
  }

  @Override
  public AnalysisResult watch(WatchCall call) {
    boolean hold;
    synchronized (this) {
      analysedFor.add(call.spec().duration());
      operations.add("analysis");
      hold = holdAnalysis;
      if (!hold && !scriptedAnalyses.isEmpty()) {
        return scriptedAnalyses.poll();
      }
    }
    analysisStarted.countDown();
    if (hold) {
      // Stands for a long bake: runs until the workflow cancels it, which reaches an activity
      // only through its heartbeat.
      CountDownLatch never = new CountDownLatch(1);
      while (true) {
        Activity.getExecutionContext().heartbeat(null);
        try {
          never.await(20, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    return new AnalysisResult(Verdict.PASS, 30, 0, "canary as good as stable");
  }

  @Override
  public synchronized AnalysisResult warmUp(WarmUpCall call) {
    operations.add("warm-up");
    return warmUpResult;
  }

  @Override
  public synchronized AnalysisResult monitor(MonitorCall call) {
    operations.add("monitor");
    monitored.add(call.targets().stream().map(Target::id).toList());
    return monitorResult;
  }

  /** What the next post-deploy monitoring answers. */
  public synchronized void monitorAnswers(AnalysisResult result) {
    monitorResult = result;
  }

  /** The targets of each post-deploy monitoring, in order. */
  public synchronized List<List<String>> monitored() {
    return List.copyOf(monitored);
  }

  public synchronized Integer canaryPercent() {
    return canaryPercent;
  }

  public synchronized List<Integer> splits() {
    return List.copyOf(splits);
  }

  public synchronized String activePool() {
    return activePool;
  }

  public synchronized List<Duration> analysedFor() {
    return List.copyOf(analysedFor);
  }

  @Override
  public DeployResult deploy(DeployCall call) {
    String id = call.target().id();
    CountDownLatch gate;
    synchronized (this) {
      gate = deployGates.get(id);
      if (gate != null) {
        deployStarted.get(id).countDown();
      }
    }
    if (gate != null) {
      try {
        if (!gate.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("held deploy to " + id + " was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    synchronized (this) {
      versions.put(id, call.version());
      operations.add("deploy " + id + " " + call.version());
      deploysByRequest.merge(call.requestId(), 1, Integer::sum);
      return new DeployResult(true, call.version(), false, "started");
    }
  }

  @Override
  public synchronized List<TargetRuntime> describe(DescribeCall call) {
    if (describeBroken) {
      throw ApplicationFailure.newNonRetryableFailure(
          "local-process: setting 'sampleAppJar' is required", "ConfigurationError");
    }
    List<TargetRuntime> out = new ArrayList<>();
    for (Target target : call.targets()) {
      out.add(new TargetRuntime(target.id(), versions.get(target.id()), true));
    }
    return out;
  }

  @Override
  public synchronized HealthResult waitHealthy(HealthCall call) {
    String id = call.target().id();
    if (call.spec().consecutiveSuccesses() == 1) {
      operations.add("smoke " + id + " " + call.spec().path());
      return failingSmoke.contains(call.spec().path())
          ? new HealthResult(false, 1, 0, "status 404")
          : new HealthResult(true, 1, 1, null);
    }
    String version = versions.get(id);
    operations.add("health " + id);
    boolean bad = badVersions.contains(version) || badTargetVersions.contains(id + "@" + version);
    return bad ? new HealthResult(false, 30, 0, "status 503") : new HealthResult(true, 3, 3, null);
  }

  @Override
  public synchronized void record(LedgerEntry entry) {
    if (failingRecords > 0) {
      failingRecords--;
      operations.add("ledger record failed");
      throw new IllegalStateException("ledger database unreachable");
    }
    ledger.add(entry);
  }

  @Override
  public synchronized void recordChild(ChildEntry entry) {
    childEntries.add(entry);
    // The ledger merges a child's targets into its parent's, as for the parent's own records.
    ledger.add(
        new LedgerEntry(
            entry.parentDeploymentId(),
            entry.service(),
            null,
            null,
            entry.paused() ? DeploymentState.PAUSED : DeploymentState.RUNNING,
            null,
            0,
            0,
            null,
            entry.targets(),
            entry.events(),
            null));
  }

  public synchronized List<ChildEntry> childEntries() {
    return List.copyOf(childEntries);
  }

  @Override
  public synchronized String begin(BeginCall call) {
    operations.add("ledger begin " + call.request().deploymentId());
    return lockHolder;
  }

  @Override
  public synchronized void abandon(AbandonCall call) {
    operations.add("ledger abandon " + call.deploymentId());
  }

  @Override
  public synchronized String reopen(ReopenCall call) {
    reopened.add(call.deploymentId());
    return lockHolder;
  }

  /** Makes retries find the service held by {@code deploymentId} (null frees it). */
  public synchronized InMemoryFleet serviceHeldBy(String deploymentId) {
    lockHolder = deploymentId;
    return this;
  }

  public synchronized List<String> reopened() {
    return List.copyOf(reopened);
  }

  /** {@code targetId} now runs {@code version}, as after someone else's deployment. */
  public synchronized InMemoryFleet runs(String targetId, String version) {
    versions.put(targetId, version);
    return this;
  }

  /**
   * The ledger's view of each target's version: the recorded target statuses merged by id, the way
   * the ledger merges them.
   */
  public synchronized Map<String, String> ledgerVersions() {
    Map<String, String> merged = new LinkedHashMap<>();
    for (LedgerEntry entry : ledger) {
      if (entry.targets() != null) {
        entry.targets().forEach(t -> merged.put(t.id(), t.version()));
      }
    }
    return merged;
  }

  /**
   * The invariant every deployment keeps, whatever its end: each target's version in the ledger is
   * what the deployer reported (or was told to run) last.
   */
  public synchronized void assertLedgerMatchesFleet() {
    Map<String, String> recorded = ledgerVersions();
    for (Map.Entry<String, String> target : versions.entrySet()) {
      if (!target.getValue().equals(recorded.get(target.getKey()))) {
        throw new AssertionError(
            "ledger says "
                + target.getKey()
                + " runs "
                + recorded.get(target.getKey())
                + " but it runs "
                + target.getValue()
                + " (ledger "
                + recorded
                + ", fleet "
                + versions
                + ")");
      }
    }
  }

  public synchronized String version(String targetId) {
    return versions.get(targetId);
  }

  public synchronized Set<String> outOfRotation() {
    return Set.copyOf(outOfRotation);
  }

  public synchronized int maxOutOfRotation() {
    return maxOutOfRotation;
  }

  public synchronized List<String> operations() {
    return List.copyOf(operations);
  }

  public synchronized Map<String, Integer> deploysByRequest() {
    return Map.copyOf(deploysByRequest);
  }

  public synchronized List<LedgerEntry> ledger() {
    return List.copyOf(ledger);
  }
}
