package dev.sluice.activities.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.dualwrite.DualWriteRepository;
import dev.sluice.dualwrite.Phase;
import dev.sluice.dualwrite.Store;
import dev.sluice.workflows.activities.DualWriteActivities.Counters;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The counters as the library renders them, served over HTTP by two instances, one down. */
class DualWriteActivitiesImplTest {

  static Store<String, String> store(Map<String, String> rows) {
    return new Store<>() {
      @Override
      public Optional<String> read(String key) {
        return Optional.ofNullable(rows.get(key));
      }

      @Override
      public void write(String key, String value) {
        rows.put(key, value);
      }
    };
  }

  @Test
  void countersAreSummedOverTheInstancesThatAnswer() throws Exception {
    Map<String, String> oldRows = new ConcurrentHashMap<>(Map.of("a", "1", "b", "2"));
    Map<String, String> newRows = new ConcurrentHashMap<>(Map.of("a", "1", "b", "x"));
    DualWriteRepository<String, String> repo =
        DualWriteRepository.<String, String>builder("accounts")
            .oldStore(store(oldRows))
            .newStore(store(newRows))
            .phase(() -> Phase.SHADOW_READ)
            .comparer(Runnable::run)
            .build();
    repo.read("a");
    repo.read("b");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = ("other_metric 5\n" + repo.metricsText()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
      Counters counters =
          new DualWriteActivitiesImpl()
              .counters("accounts", List.of(url, url, "http://127.0.0.1:1/metrics"));
      assertThat(counters).isEqualTo(new Counters(4, 2, 1));
      assertThat(new DualWriteActivitiesImpl().counters("other", List.of(url)))
          .as("another migration's counters are not ours")
          .isEqualTo(new Counters(0, 0, 0));
    } finally {
      server.stop(0);
    }
  }
}
