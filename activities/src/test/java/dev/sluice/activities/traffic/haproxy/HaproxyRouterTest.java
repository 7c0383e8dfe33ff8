package dev.sluice.activities.traffic.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.DrainProgress;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.EnableProgress;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.ServerStats;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.ServerState;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.StatRow;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HaproxyRouter} against a real HAProxy in front of two real HTTP servers, a and b. */
class HaproxyRouterTest {

  private static final String BACKEND = "app";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir Path dir;

  private TestBackend a;
  private TestBackend b;
  private HaproxyInstance haproxy;
  private HaproxyRuntimeApi api;
  private HaproxyRouter router;
  private int tcpSocketPort;
  private long haproxyPid;
  private final List<Object> heartbeats = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startHaproxyAndBackends() {
    a = TestBackend.start("a");
    b = TestBackend.start("b");
    tcpSocketPort = freePort();
    haproxy =
        HaproxyInstance.builder(dir)
            .backend(BACKEND)
            .targets(List.of(a.target(), b.target()))
            .extraGlobal("stats socket 127.0.0.1:" + tcpSocketPort + " level admin")
            .build()
            .start();
    haproxyPid = haproxy.pid().orElseThrow();
    api = haproxy.runtimeApi();
    router = HaproxyRouter.fromRef(withSetting(haproxy.routerRef(), "pollInterval", "50ms"));
    // Servers start optimistic ("UP 1/2"); settle on real checks before each test.
    awaitStatus("a", "UP");
    awaitStatus("b", "UP");
  }

  @AfterEach
  void stopEverything() {
    haproxy.close();
    a.close();
    b.close();
    assertThat(ProcessHandle.of(haproxyPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void drainWaitsForSessionsToClose() throws Exception {
    // Pin the slow request on a: b takes no new sessions while it is sent.
    api.setState(BACKEND, "b", ServerState.DRAIN);
    long slowSent = System.nanoTime();
    CompletableFuture<HttpResponse<String>> slow = getAsync("/?delayMs=2000");
    await().atMost(Duration.ofSeconds(5)).until(() -> server("a").number("scur", -1) == 1);
    api.setState(BACKEND, "b", ServerState.READY);

    long drainStarted = System.nanoTime();
    CompletableFuture<DrainResult> drain =
        CompletableFuture.supplyAsync(
            () -> router.drain(a.target(), Duration.ofSeconds(10), heartbeats::add));
    await().atMost(Duration.ofSeconds(5)).until(() -> status("a").equals("DRAIN"));
    List<String> answeredBy = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      answeredBy.add(get("/").body());
    }
    DrainResult result = drain.get(10, TimeUnit.SECONDS);
    HttpResponse<String> slowResponse = slow.get(5, TimeUnit.SECONDS);

    assertThat(slow).as("drain returned only after the slow request").isDone();
    assertThat(answeredBy).hasSize(6).containsOnly("b");
    assertThat(slowResponse.statusCode()).isEqualTo(200);
    assertThat(slowResponse.body()).isEqualTo("a");
    assertThat(result.drained()).isTrue();
    assertThat(result.remainingSessions()).isZero();
    long slowLeftWhenDrainStarted = 2000 - millisBetween(slowSent, drainStarted);
    assertThat(result.waitedMillis()).isGreaterThanOrEqualTo(slowLeftWhenDrainStarted - 100);
    assertThat(((DrainProgress) heartbeats.get(0)).currentSessions()).isEqualTo(1);
    assertThat(heartbeats).last().isEqualTo(new DrainProgress("a", 0, 0, result.waitedMillis()));
  }

  @Test
  void drainTimesOutWithSessionsLeft() throws Exception {
    api.setState(BACKEND, "b", ServerState.DRAIN);
    CompletableFuture<HttpResponse<String>> slow = getAsync("/?delayMs=2000");
    await().atMost(Duration.ofSeconds(5)).until(() -> server("a").number("scur", -1) == 1);

    DrainResult result = router.drain(a.target(), Duration.ofMillis(500), heartbeats::add);

    assertThat(result.drained()).isFalse();
    assertThat(result.remainingSessions()).isEqualTo(1);
    assertThat(result.waitedMillis()).isBetween(500L, 2500L);
    assertThat(heartbeats).hasSizeGreaterThan(2);
    // A drain never cuts a session: the request still completes on a.
    HttpResponse<String> slowResponse = slow.get(5, TimeUnit.SECONDS);
    assertThat(slowResponse.statusCode()).isEqualTo(200);
    assertThat(slowResponse.body()).isEqualTo("a");
  }

  @Test
  void enableWaitsUntilServerIsUp() {
    assertThat(router.drain(a.target(), Duration.ofSeconds(5), Heartbeat.NONE).drained()).isTrue();
    a.stop();
    // Drain keeps health checks running, so HAProxy notices the stop.
    await().atMost(Duration.ofSeconds(5)).until(() -> status("a").equals("DOWN"));

    EnableResult whileDown = router.enable(a.target(), Duration.ofMillis(1200), Heartbeat.NONE);

    assertThat(whileDown.up()).isFalse();
    assertThat(whileDown.status()).startsWith("DOWN");

    a.restart();
    EnableResult afterRestart = router.enable(a.target(), Duration.ofSeconds(10), heartbeats::add);

    assertThat(afterRestart).isEqualTo(new EnableResult(true, "UP"));
    assertThat(status("a")).isEqualTo("UP");
    // It had to wait for HAProxy's rise checks: the first polls saw the server still down.
    assertThat(((EnableProgress) heartbeats.get(0)).status()).startsWith("DOWN");
    assertThat(((EnableProgress) heartbeats.get(heartbeats.size() - 1)).status()).isEqualTo("UP");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> List.of(get("/").body(), get("/").body()).contains("a"));
  }

  @Test
  void drainAndEnableAreIdempotent() {
    assertThat(router.drain(a.target(), Duration.ofSeconds(5), Heartbeat.NONE))
        .extracting(DrainResult::drained, DrainResult::remainingSessions)
        .containsExactly(true, 0L);
    assertThat(router.drain(a.target(), Duration.ofSeconds(5), Heartbeat.NONE).drained()).isTrue();
    assertThat(status("a")).isEqualTo("DRAIN");

    assertThat(router.enable(a.target(), Duration.ofSeconds(5), Heartbeat.NONE))
        .isEqualTo(new EnableResult(true, "UP"));
    assertThat(router.enable(a.target(), Duration.ofSeconds(5), Heartbeat.NONE))
        .isEqualTo(new EnableResult(true, "UP"));
    assertThat(List.of(get("/").body(), get("/").body())).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void setWeightZeroStopsNewTraffic() {
    router.setWeight(a.target(), 0);
    router.setWeight(a.target(), 0);

    List<String> answeredBy = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      answeredBy.add(get("/").body());
    }

    assertThat(answeredBy).containsOnly("b");
    ServerStats statsOfA = router.stats(List.of(a.target())).get(0);
    assertThat(statsOfA.weight()).isZero();
    assertThat(statsOfA.status()).isEqualTo("UP");

    router.setWeight(a.target(), 1);
    assertThat(List.of(get("/").body(), get("/").body())).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void statsCountResponsesPerServer() {
    api.setState(BACKEND, "b", ServerState.DRAIN);
    for (int i = 0; i < 3; i++) {
      assertThat(get("/?status=500").statusCode()).isEqualTo(500);
    }
    for (int i = 0; i < 2; i++) {
      assertThat(get("/").statusCode()).isEqualTo(200);
    }
    api.setState(BACKEND, "b", ServerState.READY);
    Target ghost = new Target("ghost", "127.0.0.1", 1, null);

    List<ServerStats> stats = router.stats(List.of(ghost, b.target(), a.target()));

    assertThat(stats).extracting(ServerStats::targetId).containsExactly("b", "a");
    ServerStats statsOfA = stats.get(1);
    assertThat(statsOfA.status()).isEqualTo("UP");
    assertThat(statsOfA.weight()).isEqualTo(1);
    assertThat(statsOfA.currentSessions()).isZero();
    assertThat(statsOfA.totalSessions()).isEqualTo(5);
    assertThat(statsOfA.responses5xx()).isEqualTo(3);
    assertThat(statsOfA.responsesTotal()).isEqualTo(5);
    assertThat(statsOfA.avgResponseTimeMs()).isGreaterThanOrEqualTo(0);
    assertThat(stats.get(0)).isEqualTo(new ServerStats("b", "UP", 1, 0, 0, 0, 0, -1));
  }

  @Test
  void unknownServerIsAConfigurationError() {
    Target ghost = new Target("ghost", "127.0.0.1", 1, null);

    assertThatThrownBy(() -> router.drain(ghost, Duration.ofSeconds(1), Heartbeat.NONE))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("No such server.")
        .hasMessageContaining("app/ghost");
    assertThatThrownBy(() -> router.enable(ghost, Duration.ofSeconds(1), Heartbeat.NONE))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("No such server.");
    assertThatThrownBy(() -> router.setWeight(ghost, 1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("No such server.");

    HaproxyRouter wrongBackend =
        HaproxyRouter.fromRef(withSetting(haproxy.routerRef(), "backend", "nope"));
    assertThatThrownBy(() -> wrongBackend.setWeight(a.target(), 1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("No such backend.");
    assertThatThrownBy(() -> wrongBackend.stats(List.of(a.target())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("No such proxy.");

    // A name that would smuggle a second command never reaches HAProxy.
    Target smuggler = new Target("a;shutdown", "127.0.0.1", 1, null);
    assertThatThrownBy(() -> router.setWeight(smuggler, 0))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("not a valid HAProxy name");
    assertThat(router.stats(List.of(a.target())).get(0).weight()).isEqualTo(1);
  }

  @Test
  void routerWithoutPoolsHasNoActivePoolAndCannotSwitch() {
    assertThat(router.activePool()).isNull();
    assertThatThrownBy(() -> router.switchPool("green"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'backends'");
    // A pool on a target means nothing to a router without pools: its one backend holds it.
    Target inPool = new Target("a", "127.0.0.1", 1, "blue");
    router.setWeight(inPool, 3);
    assertThat(router.stats(List.of(inPool))).extracting(ServerStats::weight).containsExactly(3);
  }

  @Test
  void weightOutOfRangeIsAConfigurationError() {
    assertThatThrownBy(() -> router.setWeight(a.target(), 257))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("between 0 and 256");
  }

  @Test
  void socketMissingIsRetryableError() {
    Path nowhere = dir.resolve("nowhere.sock");
    HaproxyRouter missing =
        HaproxyRouter.fromRef(withSetting(haproxy.routerRef(), "socket", nowhere.toString()));
    assertThatThrownBy(() -> missing.drain(a.target(), Duration.ofSeconds(1), Heartbeat.NONE))
        .isInstanceOf(HaproxyUnavailableException.class)
        .isNotInstanceOf(ConfigurationException.class)
        .hasMessageContaining(nowhere.toString());

    String refused = "tcp://127.0.0.1:" + freePort();
    HaproxyRouter overTcp =
        HaproxyRouter.fromRef(withSetting(haproxy.routerRef(), "socket", refused));
    assertThatThrownBy(() -> overTcp.stats(List.of(a.target())))
        .isInstanceOf(HaproxyUnavailableException.class)
        .hasMessageContaining(refused);

    haproxy.close();
    assertThatThrownBy(() -> router.setWeight(a.target(), 1))
        .isInstanceOf(HaproxyUnavailableException.class)
        .hasMessageContaining(haproxy.socketPath().toString());

    // A missing setting, by contrast, is configuration: no retry brings it.
    assertThatThrownBy(() -> HaproxyRouter.fromRef(new ProviderRef("haproxy", Map.of())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'socket'");
    assertThatThrownBy(
            () ->
                HaproxyRouter.fromRef(
                    new ProviderRef("haproxy", Map.of("socket", nowhere.toString()))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'backend'");
  }

  @Test
  void routerWorksOverATcpSocket() {
    HaproxyRouter overTcp =
        HaproxyRouter.fromRef(
            withSetting(haproxy.routerRef(), "socket", "tcp://127.0.0.1:" + tcpSocketPort));

    overTcp.setWeight(b.target(), 7);

    assertThat(overTcp.stats(List.of(a.target(), b.target())))
        .extracting(ServerStats::targetId, ServerStats::weight)
        .containsExactly(tuple("a", 1), tuple("b", 7));
  }

  private StatRow server(String name) {
    return api.showServerStats(BACKEND).stream()
        .filter(row -> row.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private String status(String name) {
    return server(name).text("status");
  }

  private void awaitStatus(String name, String status) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status(name).equals(status));
  }

  private HttpResponse<String> get(String path) {
    try {
      return getAsync(path).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " through HAProxy failed", e);
    }
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(haproxy.frontendUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private static long millisBetween(long startNanos, long endNanos) {
    return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
  }

  private static ProviderRef withSetting(ProviderRef ref, String key, String value) {
    Map<String, Object> settings = new HashMap<>(ref.settings());
    settings.put(key, value);
    return new ProviderRef(ref.type(), settings);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
