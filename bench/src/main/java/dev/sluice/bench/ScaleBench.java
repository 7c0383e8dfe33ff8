package dev.sluice.bench;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.activities.analysis.AnalysisActivitiesImpl;
import dev.sluice.activities.ledger.LedgerActivitiesImpl;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.worker.SluiceWorker;
import dev.sluice.worker.TemporalBackend;
import dev.sluice.worker.TemporalSettings;
import dev.sluice.workflows.Strategies;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code scale [N]}: N (default 1,000) canary deployments at once on one worker process, against
 * Temporal's dev server (the CLI's). The worker is a JVM of its own ({@code scale-worker}, started
 * with this one's class path) running every Sluice workflow with {@link SluiceWorker}'s settings,
 * the real ledger activities over an H2 file ledger (opened as a worker opens it), the real
 * analysis activity over steady metrics ({@link FakeFleet#steady}), and the workflow tests' {@link
 * InMemoryFleet} as the traffic, deploy and health activities. Each deployment is a service of its
 * own with four targets, started through {@link WorkflowClient} (not the REST API, so the figures
 * are the worker's): one canary, 20%, an analysis of 10 s with a check every 2 s, 100% (a promotion
 * of the three others in a rolling child).
 *
 * <p>Prints {@code BENCH scale deployments completed worker_cpu_s worker_rss_mb p99_step_latency_ms
 * …}: the worker process's user+system CPU seconds ({@code /proc/PID/stat}) and its peak resident
 * memory ({@code VmHWM}); <b>step latency</b> is, for every activity the worker ran other than the
 * analysis bakes (traffic shifts, deploys, health checks, ledger writes), the time from Temporal
 * scheduling it — the step falling due — to the activity completing on the worker: waiting for a
 * poller and a free slot, plus the work. {@code p99_wait_ms} is the wait alone, over every activity
 * including the bakes; {@code ledger_rows} counts the rows of every ledger table afterwards, {@code
 * ledger_deployments} those of {@code deployments}; {@code duration_s} runs from the first start to
 * the last result.
 */
final class ScaleBench {

  private static final String QUEUE = "scale-bench";
  private static final int TARGETS = 4;
  private static final String READY = "scale-worker ready";
  private static final String STATS = "scale-worker stats ";

  private ScaleBench() {}

  static void run(PrintStream out, int deployments) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    Path work = Files.createTempDirectory(home.resolve(".sluice"), "bench-scale-");
    Path log = work.resolve("worker.log");
    Process worker = null;
    TemporalBackend temporal = SeparateWorker.startDevServer(work);
    // A bench stopped with SIGTERM runs no finally blocks: neither the dev server nor the worker
    // may outlive it.
    AtomicBoolean closed = new AtomicBoolean();
    Runnable stopServer =
        () -> {
          if (closed.compareAndSet(false, true)) {
            temporal.close();
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stopServer));
    try {
      Process process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Dsluice.home=" + home,
                  "-cp",
                  System.getProperty("java.class.path"),
                  Bench.class.getName(),
                  "scale-worker",
                  temporal.address(),
                  Ledger.h2FileUrl(work.resolve("ledger")),
                  String.valueOf(deployments))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      worker = process;
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      awaitLine(log, READY, worker, Duration.ofMinutes(2));
      WorkflowClient client = temporal.client();
      long started = System.nanoTime();
      List<WorkflowStub> stubs = new ArrayList<>();
      for (int i = 1; i <= deployments; i++) {
        stubs.add(
            client.newUntypedWorkflowStub(
                Strategies.of(Strategy.CANARY).workflowType(),
                WorkflowOptions.newBuilder()
                    .setWorkflowId("scale-" + i)
                    .setTaskQueue(QUEUE)
                    .build()));
      }
      // Started from several threads, as many API requests would: one after the other, each
      // start waits for the dev server's write.
      ExecutorService starters = Executors.newFixedThreadPool(16);
      try {
        List<Future<?>> starts = new ArrayList<>();
        for (int i = 1; i <= deployments; i++) {
          WorkflowStub stub = stubs.get(i - 1);
          DeploymentRequest request = request(i, temporal.searchAttributes());
          starts.add(starters.submit(() -> stub.start(request)));
        }
        for (Future<?> start : starts) {
          start.get();
        }
      } finally {
        starters.shutdownNow();
      }
      double startS = (System.nanoTime() - started) / 1e9;
      System.err.printf(
          Locale.ROOT, "scale: %d deployments started in %.1f s%n", deployments, startS);
      long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
      int completed = 0;
      int failed = 0;
      for (WorkflowStub stub : stubs) {
        long left = Math.max(1, deadline - System.nanoTime());
        try {
          DeploymentResult result =
              stub.getResult(left, TimeUnit.NANOSECONDS, DeploymentResult.class);
          if (result.state() == DeploymentState.SUCCEEDED) {
            completed++;
          } else {
            failed++;
            System.err.println("scale: " + stub.getExecution().getWorkflowId() + " " + result);
          }
        } catch (TimeoutException e) {
          break;
        }
      }
      double durationS = (System.nanoTime() - started) / 1e9;
      double cpuS = cpuSeconds(worker.pid());
      long rssKb = statusKb(worker.pid(), "VmHWM");
      // End of input tells the worker to stop and report.
      worker.getOutputStream().close();
      String stats = awaitLine(log, STATS, worker, Duration.ofMinutes(2));
      worker.waitFor(60, TimeUnit.SECONDS);
      out.printf(
          Locale.ROOT,
          "BENCH scale deployments=%d completed=%d worker_cpu_s=%.1f worker_rss_mb=%d %s"
              + " failed=%d duration_s=%.1f start_s=%.1f%n",
          deployments,
          completed,
          cpuS,
          rssKb / 1024,
          stats.substring(stats.indexOf(STATS) + STATS.length()).trim(),
          failed,
          durationS,
          startS);
    } catch (Exception | AssertionError e) {
      System.err.println("scale: worker log tail:\n" + SeparateWorker.tail(work, "worker.log"));
      throw e;
    } finally {
      if (worker != null && worker.isAlive()) {
        worker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      stopServer.run();
      Bench.deleteRecursively(work);
    }
  }

  private static DeploymentRequest request(int i, boolean searchAttributes) {
    return DeploymentRequest.builder()
        .deploymentId("scale-" + i)
        .service(
            new ServiceDefinition(
                "svc-" + i,
                fleet(i),
                ProviderRef.of(FakeFleet.ROUTER),
                ProviderRef.of("memory"),
                null,
                Strategy.CANARY.id(),
                null))
        .version("2.0.0")
        .strategy(Strategy.CANARY.id())
        // The API settles every option; the promotion's rolling child needs the rolling ones.
        .rolling(RollingOptions.DEFAULT)
        .canary(
            new CanaryOptions(
                List.of(
                    CanaryStep.weight(20),
                    CanaryStep.analyse(
                        new AnalysisSpec(
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(2),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null)),
                    CanaryStep.weight(100)),
                IntOrPercent.count(1)))
        .searchAttributes(searchAttributes)
        .requestedBy("bench")
        .build();
  }

  private static List<Target> fleet(int deployment) {
    List<Target> targets = new ArrayList<>();
    for (int t = 1; t <= TARGETS; t++) {
      targets.add(
          new Target(
              "d" + deployment + "-t" + t,
              "10." + (deployment / 250) + "." + (deployment % 250) + "." + t,
              8080,
              null));
    }
    return targets;
  }

  /**
   * {@code scale-worker ADDRESS LEDGER_URL N}: the worker process. Reports {@value #STATS}… and
   * exits when its standard input ends.
   */
  static void worker(String address, String ledgerUrl, int deployments) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    DataSourceFactory database = new SluiceConfiguration().ledgerDatabase();
    database.setUrl(ledgerUrl);
    ManagedDataSource dataSource = database.build(new MetricRegistry(), "ledger-scale");
    Ledger.migrate(dataSource);
    Ledger ledger = new Ledger(Jdbi.create(dataSource));
    TemporalSettings settings = new TemporalSettings();
    settings.setBackend(TemporalSettings.Backend.REMOTE);
    settings.setAddress(address);
    List<Target> all = new ArrayList<>();
    for (int i = 1; i <= deployments; i++) {
      all.addAll(fleet(i));
    }
    Latencies latencies = new Latencies();
    try (TemporalBackend backend = TemporalBackend.open(settings, home)) {
      WorkerFactory factory =
          WorkerFactory.newInstance(
              backend.client(),
              WorkerFactoryOptions.newBuilder(SluiceWorker.FACTORY_OPTIONS)
                  .setWorkerInterceptors(latencies)
                  .build());
      Worker worker = factory.newWorker(QUEUE, SluiceWorker.WORKER_OPTIONS);
      for (Class<?> workflow : SluiceWorker.WORKFLOWS) {
        worker.registerWorkflowImplementationTypes(workflow);
      }
      worker.registerActivitiesImplementations(
          FakeFleet.fleetActivities(new InMemoryFleet(all, "1.0.0")),
          new LedgerActivitiesImpl(ledger),
          new AnalysisActivitiesImpl(FakeFleet.providers(), ledger::recordAnalysis));
      factory.start();
      System.out.println(READY);
      while (System.in.read() != -1) {
        // Runs until the benchmark closes this process's input.
      }
      factory.shutdown();
      factory.awaitTermination(30, TimeUnit.SECONDS);
      factory.shutdownNow();
    }
    Jdbi jdbi = Jdbi.create(dataSource);
    long rows =
        jdbi.withHandle(
            h -> {
              long sum = 0;
              for (String table :
                  h.createQuery(
                          "SELECT table_name FROM information_schema.tables"
                              + " WHERE table_schema = 'PUBLIC'")
                      .mapTo(String.class)
                      .list()) {
                sum +=
                    h.createQuery("SELECT COUNT(*) FROM \"" + table + "\"").mapTo(Long.class).one();
              }
              return sum;
            });
    long ledgerDeployments =
        jdbi.withHandle(
            h -> h.createQuery("SELECT COUNT(*) FROM deployments").mapTo(Long.class).one());
    dataSource.stop();
    System.out.println(
        STATS
            + latencies.report()
            + " ledger_rows="
            + rows
            + " ledger_deployments="
            + ledgerDeployments);
    System.out.flush();
  }

  /** Times every activity the worker runs from its scheduling (see the class comment). */
  static final class Latencies extends WorkerInterceptorBase {

    private long[] steps = new long[1 << 12];
    private int stepCount;
    private long[] waits = new long[1 << 12];
    private int waitCount;

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
      return new ActivityInboundCallsInterceptorBase(next) {
        private ActivityInfo info;

        @Override
        public void init(ActivityExecutionContext context) {
          info = context.getInfo();
          super.init(context);
        }

        @Override
        public ActivityOutput execute(ActivityInput input) {
          long scheduled = info.getCurrentAttemptScheduledTimestamp();
          long begun = System.currentTimeMillis();
          ActivityOutput output = super.execute(input);
          long done = System.currentTimeMillis();
          String type = info.getActivityType();
          boolean bake = type.startsWith("Analysis");
          add(type, begun - scheduled, bake ? -1 : done - scheduled);
          return output;
        }
      };
    }

    private final Map<String, Integer> byType = new TreeMap<>();

    private synchronized void add(String type, long wait, long step) {
      byType.merge(type, 1, Integer::sum);
      if (waitCount == waits.length) {
        waits = Arrays.copyOf(waits, waitCount * 2);
      }
      waits[waitCount++] = wait;
      if (step >= 0) {
        if (stepCount == steps.length) {
          steps = Arrays.copyOf(steps, stepCount * 2);
        }
        steps[stepCount++] = step;
      }
    }

    synchronized String report() {
      long[] s = Arrays.copyOf(steps, stepCount);
      long[] w = Arrays.copyOf(waits, waitCount);
      Arrays.sort(s);
      Arrays.sort(w);
      return String.format(
          Locale.ROOT,
          "p99_step_latency_ms=%d p50_step_latency_ms=%d max_step_latency_ms=%d steps=%d"
              + " p99_wait_ms=%d activities=%d by_type=%s",
          quantile(s, 0.99),
          quantile(s, 0.50),
          s.length == 0 ? 0 : s[s.length - 1],
          s.length,
          quantile(w, 0.99),
          w.length,
          byType.entrySet().stream()
              .map(e -> e.getKey() + ":" + e.getValue())
              .collect(Collectors.joining(",")));
    }

    private static long quantile(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int index = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
  }

  /** Waits for a line containing {@code text} in {@code log}; fails if {@code process} ends. */
  private static String awaitLine(Path log, String text, Process process, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      // Whether it had ended before the log was read: then the log is all there will be.
      boolean ended = !process.isAlive();
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          if (line.contains(text)) {
            return line;
          }
        }
      }
      if (ended) {
        throw new IllegalStateException("the scale worker exited with " + process.exitValue());
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException("no '" + text + "' from the scale worker in " + timeout);
  }

  /** User plus system CPU seconds of process {@code pid} so far. */
  private static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // After the command name in parentheses: state, ppid, … utime is field 14, stime 15.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks / (double) CLOCK_TICKS;
  }

  /** Linux's USER_HZ, the unit of /proc/PID/stat times: 100 on every mainstream kernel. */
  private static final int CLOCK_TICKS = 100;

  /** A {@code kB} field of /proc/PID/status ({@code VmHWM}: peak resident set). */
  private static long statusKb(long pid, String field) throws Exception {
    for (String line : Files.readAllLines(new File("/proc/" + pid + "/status").toPath())) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
