package dev.sluice.activities.traffic.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.activities.ConfigurationException;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config {@link HaproxyConfig#forService} renders from a service definition, run by a real
 * HAProxy exactly as rendered and driven by {@link HaproxyRouter} from the same router settings.
 */
class HaproxyConfigTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir Path dir;

  @Test
  void oneBackendConfigPassesHaproxyCheckAndTheRouterDrainsAndEnablesItsServers() throws Exception {
    try (TestBackend a = TestBackend.start("a");
        TestBackend b = TestBackend.start("b")) {
      String socket = dir.resolve("admin.sock").toString();
      ProviderRef ref = new ProviderRef("haproxy", Map.of("socket", socket, "backend", "web"));
      List<Target> fleet = List.of(a.target(), b.target());
      HaproxyConfig config = onFreePorts(HaproxyConfig.forService("shop", fleet, ref, "/health"));

      assertThat(config.render())
          .contains("    stats socket " + socket + " mode 600 level admin\n")
          .contains("    default-server inter 500ms fall 2 rise 2 check\n")
          .contains("    option redispatch 1\n")
          .contains("    default_backend web\n")
          .contains("backend web\n    balance roundrobin\n    option httpchk GET /health\n")
          .contains("    server a " + a.target().address() + "\n")
          .contains("    server b " + b.target().address() + "\n")
          .doesNotContain("cookie");
      assertThat(RenderedHaproxy.check(RenderedHaproxy.write(dir, config)).exit()).isZero();

      try (RenderedHaproxy haproxy = RenderedHaproxy.start(dir, config, socket)) {
        assertThat(haproxy.configFile()).content().isEqualTo(config.render());
        HaproxyRouter router = HaproxyRouter.fromRef(ref);
        awaitUp(router, fleet);

        DrainResult drained = router.drain(a.target(), Duration.ofSeconds(10), Heartbeat.NONE);

        assertThat(drained.drained()).isTrue();
        for (int i = 0; i < 4; i++) {
          assertThat(get(config, "/").body()).isEqualTo("b");
        }
        EnableResult enabled = router.enable(a.target(), Duration.ofSeconds(10), Heartbeat.NONE);
        assertThat(enabled.up()).as(enabled.status()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> get(config, "/").body().equals("a"));
      }
    }
  }

  @Test
  void blueGreenConfigRoutesByTheMapTheRouterSwitchesAndKeepsSessionsSticky() throws Exception {
    try (TestBackend blue = TestBackend.start("blue1", "blue");
        TestBackend green = TestBackend.start("green1", "green")) {
      String socket = dir.resolve("admin.sock").toString();
      String map = dir.resolve("pools.map").toString();
      ProviderRef ref =
          new ProviderRef(
              "haproxy",
              Map.of(
                  "socket",
                  socket,
                  "backends",
                  Map.of("blue", "web_blue", "green", "web_green"),
                  "poolMap",
                  map,
                  "stickySessions",
                  true));
      List<Target> fleet = List.of(blue.target(), green.target());
      HaproxyConfig config = onFreePorts(HaproxyConfig.forService("shop", fleet, ref, "/health"));
      String initial = config.poolMap().orElseThrow().initialBackend();
      String other = initial.equals("web_blue") ? "web_green" : "web_blue";

      assertThat(config.render())
          .contains("    use_backend %[str(active),map(" + map + "," + initial + ")]\n")
          .contains("backend web_blue\n")
          .contains("backend web_green\n")
          .contains("    cookie SLUICE insert indirect nocache\n")
          .contains("    server blue1 " + blue.target().address() + " cookie blue1\n")
          .contains("    server green1 " + green.target().address() + " cookie green1\n");
      assertThat(config.renderPoolMap()).endsWith("\nactive " + initial + "\n");

      try (RenderedHaproxy haproxy = RenderedHaproxy.start(dir, config, socket)) {
        HaproxyRouter router = HaproxyRouter.fromRef(ref);
        awaitUp(router, fleet);
        String live = router.activePool();
        String next = live.equals("blue") ? "green" : "blue";
        HttpResponse<String> first = get(config, "/");
        assertThat(first.body()).isEqualTo(live + "1");
        assertThat(first.headers().allValues("set-cookie")).anyMatch(c -> c.startsWith("SLUICE="));

        router.switchPool(next);

        assertThat(router.activePool()).isEqualTo(next);
        assertThat(get(config, "/").body()).isEqualTo(next + "1");
        assertThat(haproxy.configFile()).exists();
        assertThat(Path.of(map)).content().contains("active " + other);
      }
    }
  }

  @Test
  void aTcpAdminSocketIsRenderedInHaproxysSyntax() throws Exception {
    ProviderRef ref =
        new ProviderRef("haproxy", Map.of("socket", "tcp://127.0.0.1:9999", "backend", "web"));
    HaproxyConfig config =
        HaproxyConfig.forService(
                "shop", List.of(new Target("t1", "127.0.0.1", 9101, null)), ref, "/ready")
            .build();

    assertThat(config.render())
        .contains("    stats socket ipv4@127.0.0.1:9999 mode 600 level admin\n")
        .contains("    option httpchk GET /ready\n")
        .contains("    bind 127.0.0.1:8000\n");
    assertThat(RenderedHaproxy.check(RenderedHaproxy.write(dir, config)).exit()).isZero();
  }

  @Test
  void anotherRouterTypeOrATargetWithoutABackendIsAConfigurationError() {
    List<Target> fleet = List.of(new Target("t1", "127.0.0.1", 9101, "blue"));

    assertThatThrownBy(
            () ->
                HaproxyConfig.forService(
                    "shop", fleet, new ProviderRef("noop", Map.of()), "/health"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("of type 'noop', not 'haproxy'");
    ProviderRef noPools = new ProviderRef("haproxy", Map.of("socket", "/tmp/x.sock"));
    assertThatThrownBy(() -> HaproxyConfig.forService("shop", fleet, noPools, "/health"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("backend");
  }

  private static HaproxyConfig onFreePorts(HaproxyConfig.Builder config) {
    return config.frontendPort(freePort()).statsPort(freePort()).build();
  }

  private static void awaitUp(HaproxyRouter router, List<Target> fleet) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> router.stats(fleet).stream().allMatch(s -> s.status().equals("UP")));
  }

  private static HttpResponse<String> get(HaproxyConfig config, String path) throws Exception {
    URI uri = URI.create("http://" + config.bindAddress() + ":" + config.frontendPort() + path);
    return HTTP.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
