package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.ServerStats;
import dev.sluice.model.Target;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.worker.TemporalBackend;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code crash}: deployments under load on the HAProxy + sample-app fleet while a process they
 * depend on is killed with SIGKILL at a random point, then started again; after each run, checks
 * that nothing is left broken.
 *
 * <p>The shape is the one users scale to: the API ({@code sluice server}) and the workers ({@code
 * sluice worker}) are processes of their own, on one Temporal dev server (history in a SQLite
 * file), with the ledger on PostgreSQL. Three modes, each over rolling, blue-green and canary:
 *
 * <ul>
 *   <li>{@code worker}: one worker, killed; a new one is started at once.
 *   <li>{@code temporal}: the Temporal server killed and started again from its database file.
 *   <li>{@code pair}: two workers, one of them (chosen at random) killed and started again.
 * </ul>
 *
 * <p>The kill points are spread over each deployment: run {@code k} of {@code n} kills at a random
 * moment in the {@code k}-th {@code n}-th of the duration an undisturbed run of the strategy took.
 * One run in four (the second, sixth, …) deploys a version whose health check fails, so rollbacks
 * are killed too.
 *
 * <p>Violations counted after each run: the deployment did not end within 5 minutes; a healthy
 * version did not succeed or a failing one was not rolled back; a target runs another version than
 * the ledger says; a server that should serve is not UP at a weight above 0 in HAProxy (for
 * blue-green: the live pool's, and the live pool must hold the version the outcome says); a target
 * deployed twice for one step (two {@code outcome=started} for one request id in the deployer's
 * log); a failed request through HAProxy (no target is killed, so none may fail).
 */
final class CrashBench {

  private static final List<String> STRATEGIES = List.of("rolling", "blue-green", "canary");
  private static final Duration DEADLINE = Duration.ofMinutes(5);
  private static final int RPS = 100;

  private final Path work;
  private final Path sampleApp;
  private final Random random;
  private final EmbeddedPostgres postgres;
  private final String temporalAddress;
  private final int temporalUi;
  private TemporalBackend temporal;
  private final Path config;
  private final Process api;
  private final SluiceClient client;
  private final Process[] workers = new Process[2];
  private int workerLogs;

  private CrashBench(Path work, Path sampleApp, long seed) throws Exception {
    this.work = work;
    this.sampleApp = sampleApp;
    this.random = new Random(seed);
    this.postgres = EmbeddedPostgres.builder().start();
    this.temporalAddress = "127.0.0.1:" + LocalStack.freePort();
    this.temporalUi = LocalStack.freePort();
    this.temporal = SeparateWorker.startDevServer(work, temporalAddress, temporalUi);
    int port = LocalStack.freePort();
    this.config =
        SeparateWorker.writeConfig(
            work, port, postgres.getJdbcUrl("postgres", "postgres"), temporalAddress, "");
    this.api = SeparateWorker.run("server", config, work, "api.log", Map.of());
    this.client = new SluiceClient(URI.create("http://127.0.0.1:" + port), "crash-bench");
    awaitApi();
  }

  static void run(PrintStream out, int runs, String only, String onlyStrategy) throws Exception {
    if (!onlyStrategy.equals("all") && !STRATEGIES.contains(onlyStrategy)) {
      throw new IllegalArgumentException("strategy: one of " + STRATEGIES + " or all");
    }
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    // In the system's temporary directory: HAProxy's admin sockets live under it, and a Unix
    // socket's path may not be longer than about 100 bytes, whatever the checkout's path is.
    Path work = Files.createTempDirectory("sluice-crash-");
    long seed = Long.getLong("sluice.bench.seed", System.nanoTime());
    System.err.println("crash: seed " + seed + " (-Dsluice.bench.seed to repeat), work " + work);
    CrashBench bench = new CrashBench(work, home.resolve("sample-app/target/sample-app.jar"), seed);
    try {
      for (Mode mode : Mode.values()) {
        if (!only.equals("all") && !only.equals(mode.id)) {
          continue;
        }
        for (String strategy : STRATEGIES) {
          if (!onlyStrategy.equals("all") && !onlyStrategy.equals(strategy)) {
            continue;
          }
          bench.measure(out, mode, strategy, mode == Mode.WORKER ? runs : Math.max(3, runs / 4));
        }
      }
    } finally {
      bench.close();
      Bench.deleteRecursively(work);
    }
  }

  /** What is killed. */
  enum Mode {
    WORKER("worker"),
    TEMPORAL("temporal"),
    PAIR("pair");

    final String id;

    Mode(String id) {
      this.id = id;
    }
  }

  private void measure(PrintStream out, Mode mode, String strategy, int runs) throws Exception {
    Path dir = Files.createDirectories(work.resolve(mode.id + "-" + strategy));
    Map<String, String> behavior = new HashMap<>();
    for (int i = 0; i <= runs; i++) {
      behavior.put(badVersion(i) + ".healthy", "false");
    }
    LocalStack.Options options =
        LocalStack.Options.defaults(dir, sampleApp).withBehavior(behavior).withoutServer();
    startWorkers(mode == Mode.PAIR ? 2 : 1);
    try (LocalStack stack =
        LocalStack.start(strategy.equals("blue-green") ? options.withPools() : options)) {
      client.put("/api/v1/services/" + LocalStack.SERVICE, service(stack)).expect(200, 201);
      // An undisturbed run: how long the strategy takes, over which the kill points are spread.
      Outcome calm = deploy(stack, strategy, "2.0.0", Duration.ZERO, mode);
      // The first run includes the JIT's warm-up: spread the kills over 80% of it.
      Duration duration = calm.elapsed().multipliedBy(4).dividedBy(5);
      System.err.printf(
          Locale.ROOT,
          "crash %s/%s: undisturbed run %s in %.1f s, %d violations%n",
          mode.id,
          strategy,
          calm.state(),
          duration.toMillis() / 1e3,
          calm.violations().size());
      int violations = 0;
      long failedRequests = 0;
      Map<String, Integer> phases = new TreeMap<>();
      Map<String, Integer> states = new TreeMap<>();
      for (int k = 0; k < runs; k++) {
        long delay = (long) (duration.toMillis() * (k + random.nextDouble()) / runs);
        String version = k % 4 == 1 ? badVersion(k) : "2." + (k + 1) + ".0";
        Outcome outcome = deploy(stack, strategy, version, Duration.ofMillis(delay), mode);
        violations += outcome.violations().size();
        failedRequests += outcome.failedRequests();
        phases.merge(outcome.killedIn(), 1, Integer::sum);
        states.merge(outcome.state(), 1, Integer::sum);
        System.err.printf(
            Locale.ROOT,
            "crash %s/%s %d/%d: %s killed at %.1f s in %s -> %s in %.1f s%s%n",
            mode.id,
            strategy,
            k + 1,
            runs,
            version,
            delay / 1e3,
            outcome.killedIn(),
            outcome.state(),
            outcome.elapsed().toMillis() / 1e3,
            outcome.violations().isEmpty() ? "" : " VIOLATIONS " + outcome.violations());
      }
      out.printf(
          Locale.ROOT,
          "BENCH crash strategy=%s mode=%s runs=%d violations=%d failed_requests=%d"
              + " kill_phases=%s outcomes=%s undisturbed_s=%.1f%n",
          strategy,
          mode.id,
          runs,
          violations,
          failedRequests,
          join(phases),
          join(states),
          duration.toMillis() / 1e3);
    } finally {
      stopWorkers();
    }
  }

  private static String badVersion(int run) {
    return "9." + (run + 1) + ".0";
  }

  private static String join(Map<String, Integer> counts) {
    return counts.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** The stack's service with short pauses, so one run takes seconds. */
  private static Map<String, Object> service(LocalStack stack) {
    Map<String, Object> service = new LinkedHashMap<>(stack.serviceDefinition());
    service.put(
        "rolling", Map.of("batchSize", 1, "pauseBetweenBatches", "1s", "drainTimeout", "10s"));
    return service;
  }

  private static Map<String, Object> request(String strategy, String version) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", LocalStack.SERVICE);
    body.put("version", version);
    body.put("strategy", strategy);
    switch (strategy) {
      case "rolling" -> body.put("overrides", Map.of("rollbackOnFailure", true));
      case "blue-green" ->
          body.put(
              "blueGreen",
              Map.of(
                  "warmUp",
                  "2s",
                  "rollbackWindow",
                  "1s",
                  "smokeChecks",
                  List.of(Map.of("path", "/health"))));
      case "canary" ->
          body.put(
              "canary",
              Map.of(
                  "steps",
                  List.of(
                      Map.of("setWeight", 25),
                      Map.of("analysis", Map.of("duration", "10s", "interval", "2s")),
                      Map.of("setWeight", 50),
                      Map.of("pause", Map.of("duration", "2s")))));
      default -> throw new IllegalArgumentException(strategy);
    }
    return body;
  }

  /** One deployment; {@code killAfter} zero for none, else when the mode's process is killed. */
  private Outcome deploy(
      LocalStack stack, String strategy, String version, Duration killAfter, Mode mode)
      throws Exception {
    boolean good = !version.startsWith("9.");
    long started;
    String killedIn = "none";
    JsonNode done;
    LoadGenerator.Report load;
    try (LoadGenerator generator = new LoadGenerator(stack.frontend(), RPS).start()) {
      started = System.nanoTime();
      String id =
          client
              .post("/api/v1/deployments", request(strategy, version))
              .expect(202)
              .body()
              .path("id")
              .asText();
      if (!killAfter.isZero()) {
        // A random point in the deployment, not a condition: the point is to land anywhere.
        TimeUnit.NANOSECONDS.sleep(Math.max(0, started + killAfter.toNanos() - System.nanoTime()));
        JsonNode before = client.get("/api/v1/deployments/" + id).expect(200).body();
        killedIn =
            before.path("state").asText().equals("RUNNING")
                    || before.path("state").asText().equals("PAUSED")
                ? before.path("phase").asText()
                : "after-end";
        kill(mode);
      }
      done = awaitFinal(id);
      load = generator.stop();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    List<String> violations = new ArrayList<>();
    String state = done == null ? "TIMED_OUT" : done.path("state").asText();
    if (done == null) {
      violations.add("not ended within " + DEADLINE);
    } else {
      check(stack, strategy, good, done, violations);
    }
    if (load.failed() > 0) {
      violations.add(load.failed() + " failed requests, e.g. " + load.failures());
    }
    return new Outcome(state, killedIn, elapsed, load.failed(), violations);
  }

  /** The deployment once it ended, or null (it is then aborted, so the next run can start). */
  private JsonNode awaitFinal(String id) {
    try {
      return client.awaitFinal(id, DEADLINE, e -> {});
    } catch (AssertionError | RuntimeException e) {
      System.err.println("crash: " + id + " did not end: " + e.getMessage());
      client.post("/api/v1/deployments/" + id + "/abort", Map.of("reason", "crash bench: stuck"));
      client.awaitFinal(id, DEADLINE, event -> {});
      return null;
    }
  }

  private void check(
      LocalStack stack, String strategy, boolean good, JsonNode done, List<String> violations)
      throws Exception {
    String state = done.path("state").asText();
    if (good && !state.equals("SUCCEEDED")) {
      violations.add("healthy version ended " + state + ": " + done.path("reason").asText());
    }
    // A version that never gets healthy: rolling rolls back the targets it upgraded; a canary
    // fails on its first target, and blue-green before its switch, each with what it touched put
    // back and no traffic ever sent to the bad version.
    String undone = strategy.equals("rolling") ? "ROLLED_BACK" : "FAILED";
    if (!good && !state.equals(undone)) {
      violations.add("failing version ended " + state + ": " + done.path("reason").asText());
    }
    String expected =
        state.equals("SUCCEEDED")
            ? done.path("version").asText()
            : done.path("previousVersion").asText();
    Map<String, String> running = stack.versions();
    for (JsonNode target : done.path("targets")) {
      String id = target.path("id").asText();
      String ledger = target.path("version").asText();
      if (!ledger.equals(running.get(id))) {
        violations.add(id + " runs " + running.get(id) + ", the ledger says " + ledger);
      }
    }
    HaproxyRouter router = HaproxyRouter.fromRef(stack.haproxy().routerRef());
    String live = router.activePool();
    Map<String, Target> serving =
        stack.targets().stream()
            .filter(t -> live == null || live.equals(t.pool()))
            .collect(Collectors.toMap(Target::id, Function.identity()));
    for (ServerStats stats : router.stats(List.copyOf(serving.values()))) {
      if (!stats.status().startsWith("UP") || stats.weight() <= 0) {
        violations.add(
            stats.targetId() + " should serve but is " + stats.status() + " at " + stats.weight());
      }
    }
    for (String id : serving.keySet()) {
      if (!expected.equals(running.get(id))) {
        violations.add(id + " serves " + running.get(id) + " after " + state + ", not " + expected);
      }
    }
    Map<String, Long> starts =
        Files.readAllLines(stack.deployerLog()).stream()
            .filter(
                l ->
                    l.contains("outcome=started")
                        && l.contains("requestId=" + done.path("id").asText() + "/"))
            .map(l -> l.replaceAll(".*requestId=(\\S+).*", "$1"))
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    starts.forEach(
        (request, count) -> {
          if (count > 1) {
            violations.add(request + " deployed " + count + " times");
          }
        });
    if (strategy.equals("blue-green") && live == null) {
      violations.add("blue-green fleet without pools");
    }
  }

  private void kill(Mode mode) throws Exception {
    switch (mode) {
      case WORKER -> {
        sigkill(workers[0]);
        workers[0] = startWorker();
      }
      case PAIR -> {
        int victim = random.nextInt(2);
        sigkill(workers[victim]);
        workers[victim] = startWorker();
      }
      case TEMPORAL -> {
        String db = work.resolve("temporal.db").toString();
        List<ProcessHandle> server =
            ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(db)).orElse(false))
                .toList();
        if (server.isEmpty()) {
          throw new IllegalStateException("no Temporal dev server with database " + db);
        }
        server.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : server) {
          p.onExit().get(10, TimeUnit.SECONDS);
        }
        temporal.close();
        long restart = System.nanoTime();
        temporal = SeparateWorker.startDevServer(work, temporalAddress, temporalUi);
        System.err.printf(
            Locale.ROOT,
            "crash: Temporal server killed, started again in %.1f s%n",
            (System.nanoTime() - restart) / 1e9);
      }
    }
  }

  private static void sigkill(Process process) throws Exception {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("worker did not die of SIGKILL");
    }
  }

  private Process startWorker() throws Exception {
    workerLogs++;
    return SeparateWorker.start(config, work, "worker-" + workerLogs + ".log", Map.of());
  }

  private void startWorkers(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      workers[i] = startWorker();
    }
  }

  private void stopWorkers() throws Exception {
    for (int i = 0; i < workers.length; i++) {
      SeparateWorker.stop(workers[i]);
      workers[i] = null;
    }
  }

  private void awaitApi() throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (true) {
      try {
        client.get("/api/v1/services").expect(200);
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline || !api.isAlive()) {
          throw new IllegalStateException(
              "the API did not start:\n" + SeparateWorker.tail(work, "api.log"), e);
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  private void close() throws Exception {
    stopWorkers();
    SeparateWorker.stop(api);
    temporal.close();
    postgres.close();
  }

  private record Outcome(
      String state,
      String killedIn,
      Duration elapsed,
      long failedRequests,
      List<String> violations) {}
}
