package dev.sluice.activities.traffic.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.ServerStats;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter.Weights;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HaproxyRouter#split}: weights on inline numbers, the wire format on a recording socket,
 * and traffic shares through a real HAProxy in front of one canary server, c1, and three stable
 * ones, s1 to s3.
 */
class HaproxyRouterSplitTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final List<String> STABLE_IDS = List.of("s1", "s2", "s3");

  @TempDir Path dir;

  private final List<TestBackend> backends = new ArrayList<>();
  private HaproxyInstance haproxy;
  private HaproxyRouter router;
  private List<Target> canary;
  private List<Target> stable;

  @AfterEach
  void stopEverything() {
    if (haproxy != null) {
      long pid = haproxy.pid().orElse(-1L);
      haproxy.close();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
    backends.forEach(TestBackend::close);
  }

  @Test
  void splitWeightsAreExactWherePossible() {
    assertThat(Weights.forSplit(1, 3, 5)).isEqualTo(new Weights(3, 19));
    assertThat(Weights.forSplit(1, 3, 25)).isEqualTo(new Weights(1, 1));
    assertThat(Weights.forSplit(1, 3, 50)).isEqualTo(new Weights(3, 1));
    assertThat(Weights.forSplit(2, 3, 10)).isEqualTo(new Weights(1, 6));
    assertThat(Weights.forSplit(1, 1, 1)).isEqualTo(new Weights(1, 99));
    assertThat(Weights.forSplit(1, 3, 0)).isEqualTo(new Weights(0, 1));
    assertThat(Weights.forSplit(1, 3, 100)).isEqualTo(new Weights(1, 0));
    // 10 canaries against 90 at 33% would need 297 and 67, above HAProxy's 256: the nearest.
    Weights rounded = Weights.forSplit(10, 90, 33);
    assertThat(rounded.canary()).isBetween(1, 256);
    assertThat(rounded.stable()).isBetween(1, 256);
    assertThat(rounded.canaryPercent(10, 90)).isCloseTo(33.0, within(0.01));
    // One canary among 1000 stable servers cannot reach 50%: the most it can get.
    assertThat(Weights.forSplit(1, 1000, 50)).isEqualTo(new Weights(256, 1));
  }

  @Test
  void splitSendsEveryChangeInOneLineThatCutsTheCanaryFirst() throws Exception {
    AtomicReference<String> stat = new AtomicReference<>(stat("UP", 3, "UP", 1));
    Function<String, String> answer =
        line ->
            line.contains("show stat")
                ? "\n" + stat.get() + "\n"
                : "\n".repeat(line.split(";").length);
    try (FakeRuntimeSocket fake = FakeRuntimeSocket.listen(dir.resolve("fake.sock"), answer)) {
      HaproxyRouter overFake =
          new HaproxyRouter(
              HaproxyRuntimeApi.of(fake.path().toString()), "app", Duration.ofMillis(50));
      List<Target> canaryTargets = List.of(new Target("c1", "127.0.0.1", 1, null));
      List<Target> stableTargets =
          STABLE_IDS.stream().map(id -> new Target(id, "127.0.0.1", 1, null)).toList();

      overFake.split(canaryTargets, stableTargets, 0);
      stat.set(stat("MAINT", 0, "UP", 1));
      overFake.split(canaryTargets, stableTargets, 5);

      assertThat(fake.lines())
          .containsExactly(
              "set severity-output number; show stat app 4 -1",
              "set severity-output number; set server app/c1 weight 0;"
                  + " set server app/c1 state maint; set server app/s1 weight 1;"
                  + " set server app/s2 weight 1; set server app/s3 weight 1",
              "set severity-output number; show stat app 4 -1",
              "set severity-output number; set server app/s1 weight 19;"
                  + " set server app/s2 weight 19; set server app/s3 weight 19;"
                  + " set server app/c1 weight 3; set server app/c1 state ready");
    }
  }

  @Test
  void splitSendsTheRequestedShareToTheCanary() {
    start(false);

    router.split(canary, stable, 25);
    Map<String, Long> at25 = answeredBy(2000, "");

    assertThat(share(at25, "c1")).isBetween(0.23, 0.27);
    assertThat(router.stats(all()))
        .extracting(ServerStats::targetId, ServerStats::weight)
        .containsExactly(tuple("c1", 1), tuple("s1", 1), tuple("s2", 1), tuple("s3", 1));

    router.split(canary, stable, 5);
    Map<String, Long> at5 = answeredBy(1200, "");

    assertThat(share(at5, "c1")).isBetween(0.04, 0.06);
    assertThat(router.stats(all())).extracting(ServerStats::weight).containsExactly(3, 19, 19, 19);

    router.split(canary, stable, 0);

    assertThat(answeredBy(200, "")).doesNotContainKey("c1");
    assertThat(router.stats(canary))
        .extracting(ServerStats::status, ServerStats::weight)
        .containsExactly(tuple("MAINT", 0));

    router.split(canary, stable, 100);

    assertThat(answeredBy(200, "")).containsOnlyKeys("c1");
    assertThat(router.stats(all()))
        .extracting(HaproxyRouterSplitTest::state, ServerStats::weight)
        .containsExactly(tuple("UP", 1), tuple("MAINT", 0), tuple("MAINT", 0), tuple("MAINT", 0));

    router.split(canary, stable, 25);
    router.split(canary, stable, 25);

    assertThat(share(answeredBy(400, ""), "c1")).isBetween(0.20, 0.30);
    assertThat(router.stats(all())).extracting(HaproxyRouterSplitTest::state).containsOnly("UP");
  }

  @Test
  void splitToZeroCutsOffStickyClientsToo() throws Exception {
    start(true);
    router.split(canary, stable, 50);
    String cookie = canaryCookie();

    assertThat(cookie).isEqualTo(HaproxyInstance.STICKY_COOKIE + "=c1");
    assertThat(answeredBy(20, cookie)).containsOnlyKeys("c1");

    // Why split puts the canary in MAINT: at weight 0 HAProxy still serves pinned clients.
    router.setWeight(canary.get(0), 0);
    assertThat(answeredBy(5, cookie)).containsOnlyKeys("c1");
    assertThat(answeredBy(8, "")).doesNotContainKey("c1");
    router.split(canary, stable, 50);

    List<Answer> answers = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    CompletableFuture<Void> pinnedClient =
        CompletableFuture.runAsync(
            () -> {
              while (running.get()) {
                answers.add(ask(cookie));
              }
            });
    long cut;
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() >= 10);

      router.split(canary, stable, 0);
      cut = System.nanoTime();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> answers.stream().filter(answer -> answer.sentAt() > cut).count() >= 30);
    } finally {
      running.set(false);
      pinnedClient.get(10, TimeUnit.SECONDS);
    }

    assertThat(answers).extracting(Answer::status).containsOnly(200);
    assertThat(answers.stream().filter(answer -> answer.sentAt() < cut))
        .extracting(Answer::server)
        .contains("c1");
    List<Answer> afterCut = answers.stream().filter(answer -> answer.sentAt() > cut).toList();
    assertThat(afterCut)
        .as("requests with the canary's cookie sent after split returned")
        .extracting(Answer::server)
        .isSubsetOf(STABLE_IDS);
    // HAProxy pins the client anew, to the stable server that took it over.
    assertThat(afterCut)
        .extracting(Answer::setCookie)
        .allSatisfy(setCookie -> assertThat(setCookie).matches("SLUICE=s[123].*"));
    assertThat(router.stats(canary))
        .extracting(ServerStats::status, ServerStats::weight)
        .containsExactly(tuple("MAINT", 0));

    router.split(canary, stable, 50);

    // Out of MAINT, HAProxy counts the server up at once ("UP 1/2" until its next check passes).
    assertThat(router.stats(canary).get(0).status()).startsWith("UP");
    assertThat(answeredBy(5, cookie)).containsOnlyKeys("c1");
  }

  @Test
  void splitRefusesWhatItCannotDoAndChangesNothing() {
    start(false);
    Target ghost = new Target("ghost", "127.0.0.1", 1, null);

    assertThatThrownBy(() -> router.split(canary, stable, 101))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("0 to 100");
    assertThatThrownBy(() -> router.split(canary, stable, -1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("0 to 100");
    assertThatThrownBy(() -> router.split(List.of(), stable, 10))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no canary targets");
    assertThatThrownBy(() -> router.split(canary, List.of(), 90))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no stable targets");
    assertThatThrownBy(() -> router.split(canary, canary, 10))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("both canary and stable");
    List<Target> stableAndGhost = new ArrayList<>(stable);
    stableAndGhost.add(ghost);
    assertThatThrownBy(() -> router.split(canary, stableAndGhost, 0))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no server 'ghost'");

    assertThat(router.stats(all()))
        .extracting(ServerStats::status, ServerStats::weight)
        .containsOnly(tuple("UP", 1));
  }

  private void start(boolean sticky) {
    TestBackend c1 = TestBackend.start("c1");
    backends.add(c1);
    for (String id : STABLE_IDS) {
      backends.add(TestBackend.start(id));
    }
    List<Target> targets = backends.stream().map(TestBackend::target).toList();
    canary = targets.subList(0, 1);
    stable = targets.subList(1, targets.size());
    haproxy = HaproxyInstance.builder(dir).targets(targets).stickySessions(sticky).build().start();
    Map<String, Object> settings = new HashMap<>(haproxy.routerRef().settings());
    settings.put("pollInterval", "50ms");
    router = HaproxyRouter.fromRef(new ProviderRef(HaproxyRouter.TYPE, settings));
    HaproxyRuntimeApi api = haproxy.runtimeApi();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                api.showServerStats(haproxy.backend()).stream()
                    .allMatch(row -> row.text("status").equals("UP")));
  }

  private List<Target> all() {
    List<Target> all = new ArrayList<>(canary);
    all.addAll(stable);
    return all;
  }

  /** A client's first visit to the canary: the cookie HAProxy set to pin it there. */
  private String canaryCookie() {
    for (int i = 0; i < 20; i++) {
      Answer answer = ask("");
      if (answer.server().equals("c1")) {
        return answer.setCookie().split(";")[0];
      }
    }
    throw new AssertionError("the canary answered none of 20 requests");
  }

  /** Sends {@code requests} requests, all of which must succeed, and counts them by server. */
  private Map<String, Long> answeredBy(int requests, String cookie) {
    List<Answer> answers = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      answers.add(ask(cookie));
    }
    assertThat(answers).extracting(Answer::status).containsOnly(200);
    return answers.stream().collect(Collectors.groupingBy(Answer::server, Collectors.counting()));
  }

  /**
   * {@code UP} for every status that takes traffic: a server just out of MAINT shows {@code UP 1/2}
   * until its next check passes.
   */
  private static String state(ServerStats stats) {
    return stats.status().startsWith("UP") ? "UP" : stats.status();
  }

  private static double share(Map<String, Long> counts, String server) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    return (double) counts.getOrDefault(server, 0L) / total;
  }

  private Answer ask(String cookie) {
    long sentAt = System.nanoTime();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(haproxy.frontendUrl() + "/"))
            .timeout(Duration.ofSeconds(10));
    if (!cookie.isEmpty()) {
      request.header("Cookie", cookie);
    }
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          sentAt,
          response.statusCode(),
          response.body(),
          response.headers().firstValue("Set-Cookie").orElse(""));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(sentAt, -1, e.toString(), "");
    } catch (Exception e) {
      return new Answer(sentAt, -1, e.toString(), "");
    }
  }

  /** {@code show stat} lines for c1 and s1 to s3, as HAProxy would answer them. */
  private static String stat(String canaryStatus, int canaryWeight, String stableStatus, int w) {
    StringBuilder csv = new StringBuilder("# pxname,svname,status,weight,type,uweight,\n");
    csv.append("app,c1,")
        .append(canaryStatus)
        .append(',')
        .append(canaryWeight)
        .append(",2,")
        .append(canaryWeight)
        .append(",\n");
    for (String id : STABLE_IDS) {
      csv.append("app,")
          .append(id)
          .append(',')
          .append(stableStatus)
          .append(',')
          .append(w)
          .append(",2,")
          .append(w)
          .append(",\n");
    }
    return csv.toString();
  }

  private record Answer(long sentAt, int status, String server, String setCookie) {}
}
