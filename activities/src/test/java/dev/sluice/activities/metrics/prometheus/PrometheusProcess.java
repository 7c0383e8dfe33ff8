package dev.sluice.activities.metrics.prometheus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.metrics.SampleAppProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Prometheus ({@code /usr/bin/prometheus}, Debian package {@code prometheus}) as a child
 * process: a temporary config scraping the given {@code host:port} targets every second, its TSDB
 * in a temporary directory, the HTTP API on a free loopback port.
 */
public final class PrometheusProcess implements AutoCloseable {

  static final String INSTALL_HINT =
      "Prometheus is not installed: apt-get install prometheus (Debian/Ubuntu), or put a"
          + " prometheus binary on PATH";

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String url;
  private final Path log;
  private final Process process;

  private PrometheusProcess(String url, Path log, Process process) {
    this.url = url;
    this.log = log;
    this.process = process;
  }

  /** The binary on {@code PATH}, else {@code /usr/bin/prometheus}. */
  public static Optional<Path> binary() {
    String path = System.getenv("PATH");
    return Stream.concat(
            path == null
                ? Stream.empty()
                : Stream.of(path.split(File.pathSeparator))
                    .filter(dir -> !dir.isBlank())
                    .map(dir -> Path.of(dir, "prometheus")),
            Stream.of(Path.of("/usr/bin/prometheus")))
        .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
        .findFirst();
  }

  /** Starts Prometheus scraping {@code targets} ({@code host:port}); does not wait for it. */
  public static PrometheusProcess launch(Path dir, List<String> targets) {
    Path binary = binary().orElseThrow(() -> new AssertionError(INSTALL_HINT));
    int port = SampleAppProcess.freePort();
    String config =
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: sample-app
            static_configs:
              - targets: [%s]
        """
            .formatted(targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", ")));
    try {
      Files.createDirectories(dir);
      Path configFile = dir.resolve("prometheus.yml");
      Files.writeString(configFile, config, UTF_8);
      Path log = dir.resolve("prometheus.log");
      Process process =
          new ProcessBuilder(
                  binary.toString(),
                  "--config.file=" + configFile,
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      return new PrometheusProcess("http://127.0.0.1:" + port, log, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
  }

  /** Waits until Prometheus says it is ready to serve queries. */
  public PrometheusProcess awaitReady() {
    await("Prometheus ready")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "Prometheus exited: " + Files.readString(log, UTF_8));
              }
              try {
                return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url + "/-/ready")).build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200;
              } catch (IOException notYet) {
                return false;
              }
            });
    return this;
  }

  /** The base URL of the HTTP API. */
  public String url() {
    return url;
  }

  /** The sum of an instant query's values now; {@code NaN} when it gives no series. */
  public double value(String promql) throws IOException, InterruptedException {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(url + "/api/v1/query?query=" + URLEncoder.encode(promql, UTF_8)))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    JsonNode result = JSON.readTree(body).path("data").path("result");
    if (result.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (JsonNode series : result) {
      sum += Double.parseDouble(series.path("value").path(1).asText());
    }
    return sum;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Stops Prometheus (SIGTERM, then SIGKILL) and waits for it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
