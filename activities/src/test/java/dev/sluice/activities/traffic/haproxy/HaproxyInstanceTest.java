package dev.sluice.activities.traffic.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi.StatRow;
import dev.sluice.model.Target;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HaproxyInstance} runs the real HAProxy binary; every test stops what it started. */
class HaproxyInstanceTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir Path dir;

  @Test
  void startsHaproxyInFrontOfTheTargetsAndStopsItOnClose() throws Exception {
    TestBackend a = TestBackend.start("a");
    HaproxyInstance haproxy = HaproxyInstance.builder(dir).targets(List.of(a.target())).build();
    try {
      haproxy.start();
      long pid = haproxy.pid().orElseThrow();

      assertThat(haproxy.isRunning()).isTrue();
      HttpResponse<String> viaFrontend = get(haproxy.frontendUrl() + "/");
      assertThat(viaFrontend.statusCode()).isEqualTo(200);
      assertThat(viaFrontend.body()).isEqualTo("a");
      String statsBase = "http://" + haproxy.bindAddress() + ":" + haproxy.statsPort();
      assertThat(get(statsBase + "/").body()).contains("app");
      assertThat(get(statsBase + "/metrics").body()).contains("haproxy_server_status");
      assertThat(haproxy.routerRef().type()).isEqualTo("haproxy");
      assertThat(haproxy.routerRef().settings())
          .isEqualTo(Map.of("socket", haproxy.socketPath().toString(), "backend", "app"));
      assertThat(Files.readString(haproxy.configFile()))
          .contains("stats socket " + haproxy.socketPath() + " mode 600 level admin")
          .contains("retry-on conn-failure empty-response response-timeout")
          .contains("option httpchk GET /health")
          .contains("server a " + a.target().address());
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Files.readString(haproxy.logFile()).contains("http-in app/a"));

      haproxy.close();
      haproxy.close();

      assertThat(haproxy.isRunning()).isFalse();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(acceptsConnections(haproxy.frontendPort())).isFalse();
    } finally {
      haproxy.close();
      a.close();
    }
  }

  @Test
  void requestsToAStoppedServerAreRetriedOnAnother() {
    try (TestBackend a = TestBackend.start("a");
        TestBackend b = TestBackend.start("b");
        HaproxyInstance haproxy =
            HaproxyInstance.builder(dir).targets(List.of(a.target(), b.target())).build()) {
      haproxy.start();
      HaproxyRuntimeApi api = haproxy.runtimeApi();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  api.showServerStats("app").stream()
                      .allMatch(row -> row.text("status").equals("UP")));
      String url = haproxy.frontendUrl() + "/";
      assertThat(List.of(get(url).body(), get(url).body())).containsExactlyInAnyOrder("a", "b");

      // Gone without a drain, before HAProxy's checks notice: the case a crashed target creates.
      a.stop();
      List<Integer> statuses = new ArrayList<>();
      List<String> answeredBy = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> response = get(haproxy.frontendUrl() + "/");
        statuses.add(response.statusCode());
        answeredBy.add(response.body());
      }

      assertThat(statuses).containsOnly(200);
      assertThat(answeredBy).containsOnly("b");
      StatRow serverA =
          api.showServerStats("app").stream()
              .filter(row -> row.name().equals("a"))
              .findFirst()
              .orElseThrow();
      assertThat(serverA.number("wredis", 0))
          .as("requests HAProxy sent to a and redispatched to b")
          .isPositive();
    }
  }

  @Test
  void configErrorsAreReported() {
    try (TestBackend a = TestBackend.start("a");
        HaproxyInstance haproxy =
            HaproxyInstance.builder(dir)
                .targets(List.of(a.target()))
                .extraBackend("no-such-keyword 42")
                .build()) {

      assertThatThrownBy(haproxy::start)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(haproxy.configFile().toString())
          .hasMessageContaining("[ALERT]")
          .hasMessageContaining("no-such-keyword");
      assertThat(haproxy.isRunning()).isFalse();
      assertThat(haproxy.pid()).isEmpty();
    }
  }

  @Test
  void portInUseIsReportedWithHaproxysLog() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        TestBackend a = TestBackend.start("a");
        HaproxyInstance haproxy =
            HaproxyInstance.builder(dir)
                .frontendPort(taken.getLocalPort())
                .targets(List.of(a.target()))
                .build()) {

      assertThatThrownBy(haproxy::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("HAProxy exited")
          .hasMessageContaining("cannot bind");
      assertThat(haproxy.isRunning()).isFalse();
    }
  }

  @Test
  void missingBinarySaysWhatToInstall() {
    HaproxyInstance haproxy =
        HaproxyInstance.builder(dir).binary(dir.resolve("haproxy-not-here")).build();

    assertThatThrownBy(haproxy::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apt-get install haproxy");
    assertThat(HaproxyInstance.locateBinary("", List.of(dir.resolve("haproxy")))).isEmpty();
    assertThat(
            HaproxyInstance.locateBinary(
                System.getenv("PATH"), List.of(Path.of("/usr/sbin/haproxy"))))
        .as("HAProxy must be installed for these tests: " + HaproxyInstance.INSTALL_HINT)
        .isPresent();
  }

  @Test
  void startEndsALeftoverHaproxyInTheSameDirectory() {
    try (TestBackend a = TestBackend.start("a");
        HaproxyInstance crashedRun =
            HaproxyInstance.builder(dir).targets(List.of(a.target())).build();
        HaproxyInstance nextRun =
            HaproxyInstance.builder(dir).targets(List.of(a.target())).build()) {
      // Stands for a HAProxy whose JVM died without running shutdown hooks.
      long leftover = crashedRun.start().pid().orElseThrow();

      nextRun.start();

      assertThat(ProcessHandle.of(leftover).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(nextRun.isRunning()).isTrue();
      assertThat(get(nextRun.frontendUrl() + "/").body()).isEqualTo("a");
    }
  }

  @Test
  void poolsGetABackendEachBehindAMapAndStickyCookiesPerServer() {
    Target blue1 = new Target("blue1", "127.0.0.1", 9001, null);
    Target green1 = new Target("green1", "127.0.0.1", 9002, "green");
    HaproxyInstance haproxy =
        HaproxyInstance.builder(dir)
            .pools(Map.of("blue", List.of(blue1), "green", List.of(green1)))
            .activePool("green")
            .stickySessions(true)
            .build();
    String map = haproxy.poolMapFile().toString();

    assertThat(haproxy.renderConfig())
        .contains("use_backend %[str(active),map(" + map + ",app_green)]")
        .doesNotContain("default_backend")
        .contains("backend app_blue\n")
        .contains("backend app_green\n")
        .contains("    cookie SLUICE insert indirect nocache\n")
        .contains("    server blue1 127.0.0.1:9001 cookie blue1\n")
        .contains("    server green1 127.0.0.1:9002 cookie green1\n");
    assertThat(haproxy.renderPoolMap()).endsWith("\nactive app_green\n");
    assertThat(haproxy.targets())
        .extracting(Target::pool)
        .containsExactlyInAnyOrder("blue", "green");
    assertThat(haproxy.routerRef().settings())
        .isEqualTo(
            Map.of(
                "socket",
                haproxy.socketPath().toString(),
                "backends",
                Map.of("blue", "app_blue", "green", "app_green"),
                "poolMap",
                map,
                "mapKey",
                "active"));
  }

  @Test
  void withoutPoolsOrStickinessTheSingleBackendIsRenderedAsBefore() {
    Target a = new Target("a", "127.0.0.1", 9001, null);

    String config = HaproxyInstance.builder(dir).targets(List.of(a)).build().renderConfig();

    assertThat(config)
        .contains("    default_backend app\n")
        .contains("backend app\n    balance roundrobin\n")
        .contains("    server a 127.0.0.1:9001\n")
        .doesNotContain("use_backend")
        .doesNotContain("cookie");
  }

  @Test
  void poolSettingsThatCannotWorkAreRejected() {
    Target a = new Target("a", "127.0.0.1", 9001, null);
    Target greenA = new Target("a", "127.0.0.1", 9001, "green");

    assertThatThrownBy(
            () ->
                HaproxyInstance.builder(dir)
                    .targets(List.of(a))
                    .pools(Map.of("blue", List.of(a)))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(
            () ->
                HaproxyInstance.builder(dir)
                    .pools(Map.of("blue", List.of(a)))
                    .activePool("green")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not one of the pools");
    assertThatThrownBy(() -> HaproxyInstance.builder(dir).pools(Map.of("blue", List.of(greenA))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listed in blue");
  }

  @Test
  void overlongSocketPathIsRejectedUpFront() {
    Path deep = dir.resolve("x".repeat(100));

    assertThatThrownBy(() -> HaproxyInstance.builder(deep).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long for a Unix socket");
  }

  private static boolean acceptsConnections(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
