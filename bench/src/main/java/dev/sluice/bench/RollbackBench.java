package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter;
import dev.sluice.api.SluiceApplication;
import dev.sluice.model.Target;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SluiceClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * How fast a rollback takes users off the new version: {@code abort} (a canary at 25%, aborted over
 * REST) and {@code bluegreen_rollback} (the new pool live in its rollback window, {@code POST
 * /services/{name}/rollback}). Each run times, under a prober sending one request every millisecond
 * through HAProxy, the REST call to the last response the new version served. The stack is the one
 * users run: Sluice's server on Temporal's dev server, HAProxy, four sample-app processes.
 *
 * <p>Printed: the first {@link #FIRST} runs (the JVM still compiling the path) apart from the
 * {@code n} runs after them; and the limit, the same load-balancer change made by the router
 * directly with no REST call, workflow or Temporal in between.
 */
final class RollbackBench {

  /** Runs counted as the first, before the JIT has compiled the path. */
  static final int FIRST = 5;

  private RollbackBench() {}

  static void abort(PrintStream out, int n) throws Exception {
    measure(
        out,
        "abort",
        n,
        false,
        version ->
            Map.of(
                "service",
                LocalStack.SERVICE,
                "version",
                version,
                "strategy",
                "canary",
                "canary",
                Map.of("steps", List.of(Map.of("setWeight", 25), Map.of("pause", Map.of())))),
        id -> "/api/v1/deployments/" + id + "/abort",
        (stack, waiting, version) -> {
          // The router's own cut, then 25% again.
          List<Target> canary = running(stack, waiting, version);
          List<Target> stable = new ArrayList<>(stack.targets());
          stable.removeAll(canary);
          HaproxyRouter router = HaproxyRouter.fromRef(stack.haproxy().routerRef());
          return new RouterChange(
              () -> router.split(canary, stable, 0), () -> router.split(canary, stable, 25));
        });
  }

  static void blueGreen(PrintStream out, int n) throws Exception {
    measure(
        out,
        "bluegreen_rollback",
        n,
        true,
        version ->
            Map.of(
                "service",
                LocalStack.SERVICE,
                "version",
                version,
                "strategy",
                "blue-green",
                "blueGreen",
                Map.of(
                    "warmUp", "1s",
                    "rollbackWindow", "10m",
                    "smokeChecks", List.of(Map.of("path", "/health")))),
        id -> "/api/v1/services/" + LocalStack.SERVICE + "/rollback",
        (stack, waiting, version) -> {
          // The router's own switch to the old pool, then back.
          HaproxyRouter router = HaproxyRouter.fromRef(stack.haproxy().routerRef());
          String live = router.activePool();
          String old = live.equals("blue") ? "green" : "blue";
          return new RouterChange(() -> router.switchPool(old), () -> router.switchPool(live));
        });
  }

  /** The load-balancer change a rollback makes, made by the router itself, and its undo. */
  record RouterChange(Runnable change, Runnable undo) {}

  /** The limit's change for a deployment waiting on {@code version}. */
  interface Limit {
    RouterChange of(LocalStack stack, JsonNode waiting, String version);
  }

  /**
   * Starts {@link #FIRST} + {@code n} + 1 deployments ({@code request} of each version), each
   * waited on until WAITING and then rolled back by a POST to {@code rollback} of its id; the last
   * one first measures {@code n} times the {@code limit}'s change under the prober.
   */
  private static void measure(
      PrintStream out,
      String name,
      int n,
      boolean pools,
      Function<String, Map<String, Object>> request,
      Function<String, String> rollback,
      Limit limit)
      throws Exception {
    Timings timings = new Timings();
    withStack(
        pools,
        stack -> {
          SluiceClient api = stack.client();
          for (int i = 1; i <= FIRST + n + 1; i++) {
            String version = (pools ? "2." : "3.") + i + ".0";
            String id =
                api.post("/api/v1/deployments", request.apply(version))
                    .expect(202)
                    .body()
                    .path("id")
                    .asText();
            JsonNode waiting =
                api.awaitDeployment(
                    id, Duration.ofMinutes(2), d -> d.path("phase").asText().equals("WAITING"));
            if (i == FIRST + n + 1) {
              RouterChange change = limit.of(stack, waiting, version);
              for (int k = 0; k < n; k++) {
                timings.limit(lastServedAfter(stack, version, change.change(), () -> {}));
                change.undo().run();
              }
            }
            Run run =
                lastServedAfter(
                    stack,
                    version,
                    () -> api.post(rollback.apply(id), Map.of("reason", "bench")).expect(202),
                    () -> api.awaitFinal(id, Duration.ofMinutes(2), e -> {}));
            if (i <= FIRST + n) {
              timings.add(run);
              System.err.printf(Locale.ROOT, "%s %d/%d: %s%n", name, i, FIRST + n, run);
            }
          }
        });
    timings.print(out, name);
  }

  /** The targets the deployment has put on {@code version}: the canaries. */
  private static List<Target> running(LocalStack stack, JsonNode deployment, String version) {
    Set<String> ids = new HashSet<>();
    deployment
        .path("targets")
        .forEach(
            t -> {
              if (version.equals(t.path("version").asText())) {
                ids.add(t.path("id").asText());
              }
            });
    List<Target> running = stack.targets().stream().filter(t -> ids.contains(t.id())).toList();
    if (running.isEmpty()) {
      throw new IllegalStateException("no target of the deployment runs " + version);
    }
    return running;
  }

  /** One run: until the last response of the version, and until the action returned. */
  record Run(double servedMillis, double answeredMillis) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "last served after %.1f ms, answered after %.1f ms",
          servedMillis,
          answeredMillis);
    }
  }

  /**
   * Runs {@code action} under a 1 request/ms prober; waits for {@code settled} and one more second
   * of probing so late answers are counted.
   */
  private static Run lastServedAfter(
      LocalStack stack, String version, Runnable action, Runnable settled) throws Exception {
    try (Prober prober = new Prober(stack.frontend(), version).start()) {
      // Let the prober reach the version before acting, so "last served" is meaningful.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (prober.lastAnswer() == 0 && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      if (prober.lastAnswer() == 0) {
        throw new IllegalStateException(version + " answered no probe in 10 s before the action");
      }
      long before = System.nanoTime();
      action.run();
      long answered = System.nanoTime();
      settled.run();
      // One more second of probing: a late answer from the old version still counts.
      TimeUnit.SECONDS.sleep(1);
      if (prober.failed() > 0) {
        System.err.printf(
            Locale.ROOT, "  %d of %d probes failed%n", prober.failed(), prober.sent());
      }
      return new Run(Math.max(0, prober.lastAnswer() - before) / 1e6, (answered - before) / 1e6);
    }
  }

  /** The runs of one benchmark, the first apart from the rest, and the limit's. */
  private static final class Timings {
    private final List<Run> runs = new ArrayList<>();
    private final List<Double> limit = new ArrayList<>();

    void add(Run run) {
      runs.add(run);
    }

    void limit(Run run) {
      limit.add(run.servedMillis());
    }

    void print(PrintStream out, String name) {
      line(out, name, "first", runs.subList(0, Math.min(FIRST, runs.size())));
      line(out, name, "warm", runs.subList(Math.min(FIRST, runs.size()), runs.size()));
      out.printf(
          Locale.ROOT,
          "BENCH %s runs=limit p50_ms=%.1f p99_ms=%.1f max_ms=%.1f n=%d (the router's own change,"
              + " no REST call or workflow)%n",
          name,
          Percentiles.of(limit, 0.50),
          Percentiles.of(limit, 0.99),
          Percentiles.of(limit, 1.0),
          limit.size());
    }

    private static void line(PrintStream out, String name, String which, List<Run> runs) {
      if (runs.isEmpty()) {
        return;
      }
      List<Double> served = runs.stream().map(Run::servedMillis).toList();
      out.printf(
          Locale.ROOT,
          "BENCH %s runs=%s p50_ms=%.1f p99_ms=%.1f max_ms=%.1f answered_p50_ms=%.1f n=%d%n",
          name,
          which,
          Percentiles.of(served, 0.50),
          Percentiles.of(served, 0.99),
          Percentiles.of(served, 1.0),
          Percentiles.of(runs.stream().map(Run::answeredMillis).toList(), 0.50),
          served.size());
    }
  }

  interface StackUse {
    void run(LocalStack stack) throws Exception;
  }

  /**
   * Sluice's server on the dev server, four sample-apps behind HAProxy (two pools for blue-green).
   */
  private static void withStack(boolean pools, StackUse use) throws Exception {
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    Path work = Files.createTempDirectory(home.resolve(".sluice"), "bench-");
    LocalStack.Options options =
        LocalStack.Options.defaults(work, home.resolve("sample-app/target/sample-app.jar"))
            .withDurableTemporal();
    try (LocalStack stack =
        LocalStack.start(pools ? options.withPools() : options, SluiceApplication::startServer)) {
      stack
          .client()
          .put("/api/v1/services/" + LocalStack.SERVICE, stack.serviceDefinition())
          .expect(201);
      use.run(stack);
    } finally {
      Bench.deleteRecursively(work);
    }
  }
}
