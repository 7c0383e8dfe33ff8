package dev.sluice.ledger;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.Phase;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/** Builders of the services, requests and progress entries the ledger contracts use. */
public final class LedgerFixtures {

  /** Where the tests' clock starts. */
  public static final Instant START = Instant.parse("2025-03-01T10:00:00Z");

  private LedgerFixtures() {}

  public static ServiceDefinition service(String name, String... targetIds) {
    List<Target> fleet = new ArrayList<>();
    for (int i = 0; i < targetIds.length; i++) {
      fleet.add(new Target(targetIds[i], "127.0.0.1", 9000 + i, i % 2 == 0 ? "blue" : "green"));
    }
    Map<String, Object> routerSettings =
        Map.of(
            "socket",
            "/run/haproxy/admin.sock",
            "backend",
            name,
            "weights",
            Map.of("blue", 100, "green", 0),
            "servers",
            List.of("a", "b"),
            "tls",
            Map.of("enabled", true, "caFileEnv", "HAPROXY_CA"),
            "ratio",
            1.5);
    return new ServiceDefinition(
        name,
        fleet,
        new ProviderRef("haproxy", routerSettings),
        new ProviderRef(
            "local-process",
            Map.of("jar", "/opt/app.jar", "env", Map.of("TOKEN_FILE", "/run/secret"))),
        new HealthCheckSpec(
            "http",
            "/health",
            200,
            "status",
            "UP",
            2,
            Duration.ofMillis(1500),
            Duration.ofMinutes(1),
            null),
        "rolling",
        new RollingOptions(
            IntOrPercent.percent(25),
            IntOrPercent.count(1),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            true));
  }

  public static DeploymentRequest request(String id, ServiceDefinition service, String version) {
    return DeploymentRequest.builder()
        .deploymentId(id)
        .service(service)
        .version(version)
        .strategy("rolling")
        .rolling(service.rolling().orElse(RollingOptions.DEFAULT))
        .requestedBy("ci-token")
        .build();
  }

  public static NewDeployment newDeployment(
      String id, ServiceDefinition service, String version, String key, String fingerprint) {
    return newDeployment(id, service, version, key, fingerprint, null);
  }

  public static NewDeployment newDeployment(
      String id,
      ServiceDefinition service,
      String version,
      String key,
      String fingerprint,
      String previous) {
    return NewDeployment.of(request(id, service, version), key, fingerprint, previous);
  }

  public static DeploymentEvent event(int seq) {
    return new DeploymentEvent(
        seq,
        START.plusMillis(seq * 1001L),
        "test.event",
        seq % 2 == 0 ? "web-1" : null,
        "event " + seq);
  }

  public static LedgerEntry entry(
      String id,
      String service,
      String version,
      DeploymentState state,
      Phase phase,
      List<TargetStatus> targets,
      String currentVersion,
      DeploymentEvent... events) {
    return new LedgerEntry(
        id,
        service,
        version,
        null,
        state,
        phase,
        1,
        2,
        null,
        targets,
        List.of(events),
        currentVersion);
  }

  public static LedgerEntry running(String id, DeploymentEvent... events) {
    return entry(
        id,
        "checkout",
        "2.0",
        DeploymentState.RUNNING,
        Phase.DEPLOYING,
        List.of(new TargetStatus("web-1", "1.0", "1.0", TargetState.DEPLOYING, null)),
        null,
        events);
  }

  public static LedgerEntry withBatch(LedgerEntry entry, int batch) {
    return new LedgerEntry(
        entry.deploymentId(),
        entry.service(),
        entry.version(),
        entry.previousVersion(),
        entry.state(),
        entry.phase(),
        batch,
        entry.batches(),
        entry.reason(),
        entry.targets(),
        entry.events(),
        entry.currentVersion());
  }

  public static LedgerEntry finished(
      String id,
      String service,
      String version,
      DeploymentState state,
      String current,
      DeploymentEvent... events) {
    return new LedgerEntry(
        id,
        service,
        version,
        null,
        state,
        Phase.COMPLETED,
        1,
        1,
        state == DeploymentState.SUCCEEDED ? null : "stopped",
        List.of(new TargetStatus("web-1", "1.0", current, TargetState.UPGRADED, null)),
        List.of(events),
        current);
  }

  /** Runs {@code call} on {@code threads} threads released together; returns their results. */
  public static <T> List<T> concurrently(int threads, IntFunction<T> call) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures =
          IntStream.range(0, threads)
              .mapToObj(
                  i ->
                      pool.submit(
                          () -> {
                            start.await(10, TimeUnit.SECONDS);
                            return call.apply(i);
                          }))
              .toList();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  public static <T> List<T> ofType(List<?> values, Class<T> type) {
    return values.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
