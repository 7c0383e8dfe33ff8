package dev.sluice.activities.health.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.activities.deploy.localprocess.LocalFleet;
import dev.sluice.activities.deploy.localprocess.LocalFleetFixture;
import dev.sluice.activities.health.http.HttpHealthChecker.Progress;
import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.Target;
import dev.sluice.ports.Deployer.DeployResult;
import dev.sluice.ports.HealthChecker.HealthResult;
import dev.sluice.ports.Heartbeat;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpHealthCheckerTest {

  @TempDir Path workDir;

  private LocalFleetFixture fleet;
  private final List<Process> direct = new ArrayList<>();
  private final HttpHealthChecker checker = new HttpHealthChecker();

  @BeforeEach
  void setUp() {
    fleet = new LocalFleetFixture(workDir);
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    LocalFleet.stopAll(workDir);
    for (Process process : direct) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Deploys {@code version} of the sample app through the local-process deployer. */
  private Target deploy(String version, String... behavior) {
    Map<String, Object> settings =
        behavior.length == 0
            ? Map.of()
            : Map.of("behaviorFile", fleet.behaviorFile(behavior).toString());
    Target target = LocalFleetFixture.target("t1");
    DeployResult result =
        fleet.deployer(settings).deploy(target, version, "test/" + version, Heartbeat.NONE);
    assertThat(result.ok()).as(result.detail()).isTrue();
    return target;
  }

  private static HealthCheckSpec spec(
      String path,
      Integer status,
      String jsonField,
      String jsonValue,
      int successes,
      Duration timeout) {
    return new HealthCheckSpec(
        "http",
        path,
        status,
        jsonField,
        jsonValue,
        successes,
        Duration.ofMillis(100),
        timeout,
        Duration.ofSeconds(2));
  }

  @Test
  void healthyVersionPassesAfterTheConsecutiveSuccessesAsked() {
    Target target = deploy("2.0.0");
    List<Object> beats = new CopyOnWriteArrayList<>();

    HealthResult result =
        checker.waitHealthy(
            target, spec("/health", 200, "status", "ok", 3, Duration.ofSeconds(20)), beats::add);

    assertThat(result).isEqualTo(new HealthResult(true, 3, 3, null));
    assertThat(beats)
        .containsExactly(
            new Progress("t1", 1, 1, 3, null),
            new Progress("t1", 2, 2, 3, null),
            new Progress("t1", 3, 3, 3, null));
  }

  @Test
  void unhealthyVersionFailsWithTheStatusItAnswered() {
    Target target = deploy("3.0.0", "3.0.0.healthy=false");

    HealthResult result =
        checker.waitHealthy(
            target, spec("/health", 200, null, null, 2, Duration.ofSeconds(1)), Heartbeat.NONE);

    assertThat(result.healthy()).isFalse();
    assertThat(result.probes()).isGreaterThanOrEqualTo(2);
    assertThat(result.consecutiveSuccesses()).isZero();
    assertThat(result.lastError())
        .startsWith("status 503 (expected 200): ")
        .contains("\"status\":\"failing\"")
        .contains("\"failing\":\"self-test\"");
  }

  @Test
  void aFlappingTargetNeverReachesItsStreakAndFailsSayingItFlapped() throws Exception {
    // A real HTTP server whose health answers alternate: up, down, up, down…
    AtomicInteger calls = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/health",
        exchange -> {
          int status = calls.getAndIncrement() % 2 == 0 ? 200 : 503;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    try {
      Target flapping = new Target("t1", "127.0.0.1", server.getAddress().getPort(), null);

      HealthResult result =
          checker.waitHealthy(
              flapping, spec("/health", 200, null, null, 3, Duration.ofSeconds(1)), Heartbeat.NONE);

      assertThat(result.healthy()).isFalse();
      assertThat(result.probes()).isGreaterThanOrEqualTo(6);
      assertThat(result.lastError())
          .startsWith("flapping: ")
          .contains(" probes passed but never 3 in a row (down again ")
          .endsWith("; last failure: status 503 (expected 200): ");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void nothingListeningFailsWithConnectionRefused() {
    Target nowhere = LocalFleetFixture.target("t1");

    HealthResult result =
        checker.waitHealthy(
            nowhere, spec("/health", 200, null, null, 1, Duration.ofMillis(500)), Heartbeat.NONE);

    assertThat(result.healthy()).isFalse();
    assertThat(result.probes()).isGreaterThanOrEqualTo(1);
    assertThat(result.lastError()).isEqualTo("connection refused");
  }

  @Test
  void jsonFieldWithAnotherValueFails() {
    Target target = deploy("2.0.0");

    HealthResult result =
        checker.waitHealthy(
            target,
            spec("/health", 200, "version", "9.9.9", 1, Duration.ofMillis(500)),
            Heartbeat.NONE);

    assertThat(result.healthy()).isFalse();
    assertThat(result.lastError()).isEqualTo("field version was \"2.0.0\", expected \"9.9.9\"");
  }

  @Test
  void jsonFieldFollowsADottedPath() {
    Target target = deploy("2.0.0");

    HealthResult passing =
        checker.waitHealthy(
            target,
            spec("/health", 200, "checks.self-test", "ok", 1, Duration.ofSeconds(5)),
            Heartbeat.NONE);
    HealthResult missing =
        checker.waitHealthy(
            target,
            spec("/health", 200, "checks.db", "ok", 1, Duration.ofMillis(300)),
            Heartbeat.NONE);

    assertThat(passing.healthy()).as(passing.lastError()).isTrue();
    assertThat(missing.healthy()).isFalse();
    assertThat(missing.lastError()).isEqualTo("field checks.db is missing");
  }

  @Test
  void expectedStatusOtherThan200IsHonoured() {
    Target target = deploy("2.0.0");

    HealthResult result =
        checker.waitHealthy(
            target, spec("/nope", 404, null, null, 1, Duration.ofSeconds(5)), Heartbeat.NONE);

    assertThat(result.healthy()).as(result.lastError()).isTrue();
  }

  @Test
  void answerSlowerThanTheRequestTimeoutFails() {
    Target target = deploy("2.0.0");
    HealthCheckSpec slow =
        new HealthCheckSpec(
            "http",
            "/?delayMs=3000",
            200,
            null,
            null,
            1,
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            Duration.ofMillis(300));

    HealthResult result = checker.waitHealthy(target, slow, Heartbeat.NONE);

    assertThat(result.healthy()).isFalse();
    assertThat(result.lastError()).isEqualTo("no answer within 300 ms");
  }

  @Test
  void slowStartingVersionPassesOnceItIsUp() throws Exception {
    // Started directly, not through the deployer, which would itself wait for the port.
    Path behavior = fleet.behaviorFile("2.1.0.startupDelayMs=1500");
    Target target = LocalFleetFixture.target("t1");
    direct.add(
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                LocalFleetFixture.sampleAppJar().toString(),
                "--port",
                Integer.toString(target.port()),
                "--version",
                "2.1.0",
                "--behavior",
                behavior.toString())
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("direct.log").toFile())
            .start());

    HealthResult result =
        checker.waitHealthy(
            target,
            spec("/health", 200, "status", "ok", 2, Duration.ofSeconds(30)),
            Heartbeat.NONE);

    assertThat(result.healthy()).isTrue();
    assertThat(result.consecutiveSuccesses()).isEqualTo(2);
    // It refused connections while starting, and the result says so.
    assertThat(result.probes()).isGreaterThan(2);
    assertThat(result.lastError()).isEqualTo("connection refused");
  }
}
