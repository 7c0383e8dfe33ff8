package dev.sluice.activities.metrics.haproxystats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.traffic.haproxy.HaproxyInstance;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.StatRow;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider.Kind;
import dev.sluice.ports.MetricProvider.Query;
import dev.sluice.ports.MetricProvider.Sample;
import dev.sluice.ports.MetricProvider.Status;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HaproxyStatsProvider} against a real HAProxy balancing round robin over four servers in
 * the test JVM: baseline {@code b1} and {@code b2} answer 200 at once; canary {@code c1} takes 20
 * ms and answers every fourth request with a 500; {@code c2} closes every fifth connection without
 * an answer, which HAProxy retries on another server so the client never sees it.
 */
class HaproxyStatsMetricProviderTest {

  private static final Duration WINDOW = Duration.ofSeconds(30);
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir static Path dir;

  private static final List<StatsBackend> backends = new ArrayList<>();
  private static HaproxyInstance haproxy;
  private static List<Target> baseline;
  private static List<Target> canary;
  private static List<Target> dropper;

  @BeforeAll
  static void startHaproxy() {
    StatsBackend b1 = start(StatsBackend.start("b1", null, 0, 0, 0));
    StatsBackend b2 = start(StatsBackend.start("b2", null, 0, 0, 0));
    StatsBackend c1 = start(StatsBackend.start("c1", null, 20, 4, 0));
    StatsBackend c2 = start(StatsBackend.start("c2", null, 0, 0, 5));
    baseline = List.of(b1.target(), b2.target());
    canary = List.of(c1.target());
    dropper = List.of(c2.target());
    haproxy =
        HaproxyInstance.builder(dir.resolve("haproxy"))
            .targets(List.of(b1.target(), b2.target(), c1.target(), c2.target()))
            // Only for requests that name a server in its cookie; others still go round robin.
            .stickySessions(true)
            .build()
            .start();
  }

  @AfterAll
  static void stopEverything() {
    if (haproxy != null) {
      long pid = haproxy.pid().orElse(-1L);
      haproxy.close();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
    backends.forEach(StatsBackend::close);
  }

  @Test
  void errorRateCountsFiveHundredsAndUnansweredAttemptsSinceTheLastFetch() throws Exception {
    HaproxyStatsProvider provider = provider();

    Sample warmingUp = provider.fetch(query(Kind.RATIO, "canary", canary));
    provider.fetch(query(Kind.RATIO, "dropper", dropper));
    provider.fetch(query(Kind.RATIO, "baseline", baseline));
    send(400);
    Sample fiveHundreds = provider.fetch(query(Kind.RATIO, "canary", canary));
    Sample unanswered = provider.fetch(query(Kind.RATIO, "dropper", dropper));
    Sample healthy = provider.fetch(query(Kind.RATIO, "baseline", baseline));
    Sample idle = provider.fetch(query(Kind.RATIO, "canary", canary));

    assertThat(warmingUp.status()).isEqualTo(Status.NO_DATA);
    assertThat(warmingUp.detail()).contains("warming up");
    assertThat(fiveHundreds.status()).as(fiveHundreds.detail()).isEqualTo(Status.OK);
    assertThat(fiveHundreds.total()).isBetween(80L, 150L);
    assertThat(ratio(fiveHundreds)).isBetween(0.22, 0.28);
    assertThat(unanswered.status()).as(unanswered.detail()).isEqualTo(Status.OK);
    assertThat(ratio(unanswered)).isBetween(0.17, 0.23);
    assertThat(unanswered.detail()).contains("0 5xx");
    assertThat(healthy.events()).isZero();
    assertThat(healthy.total()).isGreaterThan(160);
    assertThat(idle.status()).isEqualTo(Status.OK);
    assertThat(idle.total()).isZero();
  }

  @Test
  void anAnswerStillOpenAtTheFirstReadingIsNoFailure() throws Exception {
    Map<String, Long> answeredBefore = serverCounts("hrsp_2xx");
    HttpResponse<InputStream> held =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(haproxy.frontendUrl() + "/hold"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    StatsBackend holder = backends.stream().filter(StatsBackend::holding).findFirst().orElseThrow();
    String name = holder.target().id();
    // The state that used to read as a failure: HAProxy counted the response, the session is open.
    assertThat(serverCounts("hrsp_2xx").get(name)).isEqualTo(answeredBefore.get(name) + 1);
    assertThat(serverCounts("scur").get(name)).isEqualTo(1L);
    HaproxyStatsProvider provider = provider();
    Query query = query(Kind.RATIO, "held", List.of(holder.target()));

    Sample warmingUp = provider.fetch(query);
    holder.release();
    try (InputStream body = held.body()) {
      assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("[]");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> serverCounts("scur").get(name) == 0);
    Sample closed = provider.fetch(query);

    assertThat(warmingUp.detail()).contains("warming up");
    assertThat(closed.status()).as(closed.detail()).isEqualTo(Status.OK);
    assertThat(closed.events()).as(closed.detail()).isZero();
  }

  @Test
  void aRequestInFlightAtTheFirstReadingHidesNoLaterFailure() throws Exception {
    CompletableFuture<HttpResponse<String>> waiting =
        HTTP.sendAsync(get("/wait", null), HttpResponse.BodyHandlers.ofString());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> backends.stream().anyMatch(StatsBackend::holding));
    StatsBackend holder = backends.stream().filter(StatsBackend::holding).findFirst().orElseThrow();
    String name = holder.target().id();
    HaproxyStatsProvider provider = provider();
    Query query = query(Kind.RATIO, "waited", List.of(holder.target()));

    Sample warmingUp = provider.fetch(query);
    holder.release();
    assertThat(waiting.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> serverCounts("scur").get(name) == 0);
    Sample answered = provider.fetch(query);
    // The server drops it; HAProxy tries another, so the client still gets its answer.
    HttpRequest drop =
        HttpRequest.newBuilder(get("/drop", name), (header, value) -> true)
            .header("X-Drop", name)
            .build();
    assertThat(HTTP.send(drop, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    Sample dropped = provider.fetch(query);

    assertThat(warmingUp.detail()).contains("warming up");
    assertThat(answered.events()).as(answered.detail()).isZero();
    assertThat(dropped.events()).as(dropped.detail()).isEqualTo(1);
    assertThat(dropped.detail()).contains("1 unanswered");
  }

  @Test
  void valueIsTheAverageResponseTime() throws Exception {
    HaproxyStatsProvider provider = provider();

    Sample warmingUp = provider.fetch(query(Kind.VALUE, "canary", canary));
    provider.fetch(query(Kind.VALUE, "baseline", baseline));
    send(200);
    Sample slow = provider.fetch(query(Kind.VALUE, "canary", canary));
    Sample fast = provider.fetch(query(Kind.VALUE, "baseline", baseline));
    Sample idle = provider.fetch(query(Kind.VALUE, "canary", canary));

    assertThat(warmingUp.status()).isEqualTo(Status.NO_DATA);
    assertThat(slow.status()).as(slow.detail()).isEqualTo(Status.OK);
    assertThat(slow.value()).isBetween(19.0, 200.0);
    assertThat(fast.value()).isLessThan(slow.value());
    assertThat(slow.detail()).contains("no percentiles");
    assertThat(idle.status()).isEqualTo(Status.NO_DATA);
    assertThat(idle.detail()).contains("no responses");
  }

  @Test
  void countersResetSinceTheLastFetchIsNoData() throws Exception {
    HaproxyStatsProvider provider = provider();
    send(40);
    provider.fetch(query(Kind.RATIO, "baseline", baseline));

    haproxy.runtimeApi().execute("clear counters all");
    Sample afterReset = provider.fetch(query(Kind.RATIO, "baseline", baseline));
    send(40);
    Sample next = provider.fetch(query(Kind.RATIO, "baseline", baseline));

    assertThat(afterReset.status()).isEqualTo(Status.NO_DATA);
    assertThat(afterReset.detail()).contains("reset");
    assertThat(next.status()).isEqualTo(Status.OK);
    assertThat(next.total()).isPositive();
  }

  @Test
  void restartedHaproxyIsNoData() throws Exception {
    Path restartDir = dir.resolve("restarted");
    HaproxyInstance first = HaproxyInstance.builder(restartDir).targets(baseline).build().start();
    HaproxyStatsProvider provider =
        HaproxyStatsProvider.fromRef(
            new ProviderRef(
                "haproxy-stats",
                Map.of("socket", first.socketPath().toString(), "backend", "app")));
    HaproxyInstance second = null;
    Sample before;
    Sample afterRestart;
    try {
      before = provider.fetch(query(Kind.RATIO, "baseline", baseline));
      first.close();
      second = HaproxyInstance.builder(restartDir).targets(baseline).build().start();
      afterRestart = provider.fetch(query(Kind.RATIO, "baseline", baseline));
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }

    assertThat(before.detail()).contains("warming up");
    assertThat(afterRestart.status()).isEqualTo(Status.NO_DATA);
    assertThat(afterRestart.detail()).contains("HAProxy process");
  }

  @Test
  void samplesAreNotSupported() {
    Sample sample = provider().fetch(query(Kind.SAMPLES, "canary", canary));

    assertThat(sample.status()).isEqualTo(Status.NO_DATA);
    assertThat(sample.detail()).contains("only averages").contains("prometheus");
  }

  @Test
  void unreachableOrUnknownIsAnError() {
    HaproxyStatsProvider noSocket =
        HaproxyStatsProvider.fromRef(
            new ProviderRef(
                "haproxy-stats",
                Map.of("socket", dir.resolve("nothing.sock").toString(), "backend", "app")));
    HaproxyStatsProvider noBackend =
        HaproxyStatsProvider.fromRef(
            new ProviderRef(
                "haproxy-stats",
                Map.of("socket", haproxy.socketPath().toString(), "backend", "nope")));
    List<Target> ghost = List.of(new Target("ghost", "127.0.0.1", 1, null));

    Sample down = noSocket.fetch(query(Kind.RATIO, "canary", canary));
    Sample unknownBackend = noBackend.fetch(query(Kind.RATIO, "canary", canary));
    Sample unknownServer = provider().fetch(query(Kind.RATIO, "canary", ghost));
    Sample empty = provider().fetch(query(Kind.RATIO, "canary", List.of()));

    assertThat(down.status()).isEqualTo(Status.ERROR);
    assertThat(down.detail()).contains("nothing.sock");
    assertThat(unknownBackend.status()).isEqualTo(Status.ERROR);
    assertThat(unknownServer.status()).isEqualTo(Status.ERROR);
    assertThat(unknownServer.detail()).contains("app/ghost");
    assertThat(empty.status()).isEqualTo(Status.NO_DATA);
  }

  @Test
  void poolsPickTheBackendAsForTheRouter() {
    HaproxyStatsProvider pooled =
        HaproxyStatsProvider.fromRef(
            new ProviderRef(
                "haproxy-stats",
                Map.of(
                    "socket",
                    "/run/haproxy/admin.sock",
                    "backends",
                    Map.of("blue", "app_blue", "green", "app_green"),
                    "poolMap",
                    "/etc/haproxy/pools.map")));

    assertThat(pooled.backendOf(new Target("g1", "h", 1, "green"))).isEqualTo("app_green");
    assertThatThrownBy(() -> pooled.backendOf(new Target("r1", "h", 1, "red")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pool 'red'");
    assertThatThrownBy(() -> pooled.backendOf(new Target("x", "h", 1, null)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no 'backend'");
    assertThatThrownBy(
            () ->
                HaproxyStatsProvider.fromRef(
                    new ProviderRef("haproxy-stats", Map.of("socket", "/run/haproxy.sock"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'backend' or 'backends'");
  }

  private static StatsBackend start(StatsBackend backend) {
    backends.add(backend);
    return backend;
  }

  private static HaproxyStatsProvider provider() {
    return HaproxyStatsProvider.fromRef(
        new ProviderRef(
            "haproxy-stats", Map.of("socket", haproxy.socketPath().toString(), "backend", "app")));
  }

  /** A GET through HAProxy's frontend, sent to server {@code server} when not null. */
  private static HttpRequest get(String path, String server) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(haproxy.frontendUrl() + path))
            .timeout(Duration.ofSeconds(10));
    if (server != null) {
      request.header("Cookie", HaproxyInstance.STICKY_COOKIE + "=" + server);
    }
    return request.build();
  }

  /** One column of {@code show stat}, by server name. */
  private static Map<String, Long> serverCounts(String column) {
    Map<String, Long> counts = new HashMap<>();
    for (StatRow row : haproxy.runtimeApi().showServerStats(haproxy.backend())) {
      counts.put(row.name(), row.number(column, 0));
    }
    return counts;
  }

  private static Query query(Kind kind, String group, List<Target> targets) {
    return new Query("errors", kind, group, targets, "checkout", "1.5.0", WINDOW);
  }

  private static double ratio(Sample sample) {
    return (double) sample.events() / sample.total();
  }

  /** Sends {@code count} requests through HAProxy's frontend, eight at a time. */
  private static void send(int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        answers.add(
            pool.submit(
                () ->
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(haproxy.frontendUrl() + "/"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
      }
      for (Future<Integer> answer : answers) {
        answer.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
