package dev.sluice.activities.traffic.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.ServerStats;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.Heartbeat;
import dev.sluice.ports.TrafficRouter.DrainResult;
import dev.sluice.ports.TrafficRouter.EnableResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HaproxyRouter} over a fleet in two pools, blue and green, each its own backend behind a
 * map: a real HAProxy in front of four real HTTP servers that name their pool in each answer.
 */
class HaproxyRouterPoolsTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir Path dir;

  private final List<TestBackend> backends = new ArrayList<>();
  private HaproxyInstance haproxy;
  private HaproxyRuntimeApi api;
  private HaproxyRouter router;
  private long haproxyPid;

  @BeforeEach
  void startHaproxyAndPools() {
    Map<String, List<Target>> pools = new LinkedHashMap<>();
    for (String pool : List.of("blue", "green")) {
      List<Target> targets = new ArrayList<>();
      for (int i = 1; i <= 2; i++) {
        TestBackend backend = TestBackend.start(pool + i, pool);
        backends.add(backend);
        targets.add(backend.target());
      }
      pools.put(pool, targets);
    }
    haproxy = HaproxyInstance.builder(dir).pools(pools).activePool("blue").build().start();
    haproxyPid = haproxy.pid().orElseThrow();
    api = haproxy.runtimeApi();
    router = HaproxyRouter.fromRef(withSetting(haproxy.routerRef(), "pollInterval", "50ms"));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                List.of("app_blue", "app_green").stream()
                    .flatMap(backend -> api.showServerStats(backend).stream())
                    .allMatch(row -> row.text("status").equals("UP")));
  }

  @AfterEach
  void stopEverything() {
    haproxy.close();
    backends.forEach(TestBackend::close);
    assertThat(ProcessHandle.of(haproxyPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void switchPoolMovesAllNewTrafficAtOnce() throws Exception {
    assertThat(router.activePool()).isEqualTo("blue");
    List<Answer> answers = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    CompletableFuture<Void> client =
        CompletableFuture.runAsync(
            () -> {
              while (running.get()) {
                answers.add(ask());
              }
            });
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() >= 20);

      router.switchPool("green");
      long switched = System.nanoTime();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> answers.stream().filter(answer -> answer.sentAt() > switched).count() >= 50);
      running.set(false);
      client.get(10, TimeUnit.SECONDS);

      assertThat(answers).extracting(Answer::status).containsOnly(200);
      assertThat(answers.stream().filter(answer -> answer.sentAt() < switched))
          .extracting(Answer::pool)
          .contains("blue");
      assertThat(answers.stream().filter(answer -> answer.sentAt() > switched))
          .as("requests sent after switchPool returned")
          .extracting(Answer::pool)
          .containsOnly("green");
    } finally {
      running.set(false);
      client.get(10, TimeUnit.SECONDS);
    }
    assertThat(router.activePool()).isEqualTo("green");
    List<String> mapFile = Files.readAllLines(haproxy.poolMapFile());
    assertThat(mapFile).contains("active app_green").doesNotContain("active app_blue");
    assertThat(mapFile.get(0)).as("comments survive the rewrite").startsWith("#");

    router.switchPool("green");

    assertThat(router.activePool()).isEqualTo("green");
    assertThat(Files.readAllLines(haproxy.poolMapFile())).isEqualTo(mapFile);
    assertThat(List.of(ask().pool(), ask().pool())).containsOnly("green");
    assertThatThrownBy(() -> router.switchPool("purple"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("unknown pool 'purple'")
        .hasMessageContaining("blue, green");
    assertThat(router.activePool()).isEqualTo("green");

    router.switchPool("blue");

    assertThat(List.of(ask().pool(), ask().pool())).containsOnly("blue");
    assertThat(router.activePool()).isEqualTo("blue");
    assertThat(Files.readAllLines(haproxy.poolMapFile())).contains("active app_blue");
  }

  @Test
  void switchPoolRefusesABackendHaproxyDoesNotRun() {
    Map<String, Object> settings = new HashMap<>(haproxy.routerRef().settings());
    settings.put("backends", Map.of("blue", "app_blue", "green", "app_green", "red", "app_red"));
    HaproxyRouter withGhostPool = HaproxyRouter.fromRef(new ProviderRef("haproxy", settings));

    assertThatThrownBy(() -> withGhostPool.switchPool("red"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no backend 'app_red'");
    assertThat(withGhostPool.activePool()).isEqualTo("blue");
    assertThat(ask().pool()).isEqualTo("blue");
  }

  @Test
  void perTargetOperationsUseThePoolsBackend() {
    Target blue1 = target("blue1");
    Target green1 = target("green1");
    Target green2 = target("green2");

    DrainResult drained = router.drain(green1, Duration.ofSeconds(5), Heartbeat.NONE);

    assertThat(drained.drained()).isTrue();
    assertThat(status("app_green", "green1")).isEqualTo("DRAIN");
    assertThat(status("app_blue", "blue1")).isEqualTo("UP");
    assertThat(router.stats(List.of(green1, blue1)))
        .extracting(ServerStats::targetId, ServerStats::status)
        .containsExactly(tuple("green1", "DRAIN"), tuple("blue1", "UP"));

    EnableResult enabled = router.enable(green1, Duration.ofSeconds(5), Heartbeat.NONE);
    router.setWeight(green1, 5);

    assertThat(enabled).isEqualTo(new EnableResult(true, "UP"));
    assertThat(router.stats(List.of(blue1, green1)))
        .extracting(ServerStats::targetId, ServerStats::weight)
        .containsExactly(tuple("blue1", 1), tuple("green1", 5));

    router.split(List.of(green1), List.of(green2), 25);

    assertThat(router.stats(List.of(green1, green2)))
        .extracting(ServerStats::weight)
        .containsExactly(1, 3);
    assertThatThrownBy(() -> router.split(List.of(green1), List.of(blue1), 25))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("one backend");
    Target purple = new Target("purple1", "127.0.0.1", 1, "purple");
    assertThatThrownBy(() -> router.drain(purple, Duration.ofSeconds(1), Heartbeat.NONE))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pool 'purple'");
    Target poolless = new Target("blue1", "127.0.0.1", 1, null);
    assertThatThrownBy(() -> router.setWeight(poolless, 1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("has no pool");
  }

  @Test
  void poolSettingsAreCheckedWhenTheRouterIsBuilt() {
    Map<String, Object> noMap = new HashMap<>(haproxy.routerRef().settings());
    noMap.remove("poolMap");
    Map<String, Object> sharedBackend = new HashMap<>(haproxy.routerRef().settings());
    sharedBackend.put("backends", Map.of("blue", "app_blue", "green", "app_blue"));

    assertThatThrownBy(() -> HaproxyRouter.fromRef(new ProviderRef("haproxy", noMap)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'poolMap'");
    assertThatThrownBy(() -> HaproxyRouter.fromRef(new ProviderRef("haproxy", sharedBackend)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("share a backend");
  }

  private Target target(String id) {
    return haproxy.targets().stream()
        .filter(target -> target.id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  private String status(String backend, String server) {
    return api.showServerStats(backend).stream()
        .filter(row -> row.name().equals(server))
        .map(row -> row.text("status"))
        .findFirst()
        .orElseThrow();
  }

  /** One request through HAProxy: when it was sent, its status and the pool that answered. */
  private Answer ask() {
    long sentAt = System.nanoTime();
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(haproxy.frontendUrl() + "/"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(
          sentAt, response.statusCode(), response.headers().firstValue("X-Pool").orElse("?"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(sentAt, -1, e.toString());
    } catch (Exception e) {
      return new Answer(sentAt, -1, e.toString());
    }
  }

  private static ProviderRef withSetting(ProviderRef ref, String key, String value) {
    Map<String, Object> settings = new HashMap<>(ref.settings());
    settings.put(key, value);
    return new ProviderRef(ref.type(), settings);
  }

  private record Answer(long sentAt, int status, String pool) {}
}
