package dev.sluice.activities.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import dev.sluice.model.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real sample-app process started from its jar (system property {@code sluice.sampleAppJar},
 * which surefire sets), on loopback, for metric provider tests: it serves {@code /metrics} for
 * Prometheus to scrape and takes traffic from {@link #send}.
 */
public final class SampleAppProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final Target target;
  private final Path log;
  private final Process process;
  private final AtomicLong requests = new AtomicLong();

  private SampleAppProcess(Target target, Path log, Process process) {
    this.target = target;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code java -jar sample-app.jar} as target {@code id} running {@code version}, with
   * {@code extraArgs} such as {@code --error-rate 0.3}; does not wait for it, see {@link
   * #awaitReady}.
   */
  public static SampleAppProcess launch(Path dir, String id, String version, String... extraArgs) {
    String jar = System.getProperty("sluice.sampleAppJar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "no sample-app jar at " + jar + ": run ./mvnw -B -q -pl sample-app install -DskipTests");
    }
    int port = freePort();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar,
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--version",
                version,
                "--target",
                id));
    command.addAll(List.of(extraArgs));
    Path log = dir.resolve(id + ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      return new SampleAppProcess(new Target(id, "127.0.0.1", port, null), log, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start sample-app " + id, e);
    }
  }

  /** Waits until the app answers its health check. */
  public SampleAppProcess awaitReady() {
    await("sample-app " + target.id() + " healthy")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "sample-app " + target.id() + " exited: " + Files.readString(log, UTF_8));
              }
              return status("/health") == 200;
            });
    return this;
  }

  public Target target() {
    return target;
  }

  /** Requests to {@code /} sent by {@link #send} so far. */
  public long requests() {
    return requests.get();
  }

  /** Sends {@code count} requests to {@code /}, {@code parallel} at a time; answers by status. */
  public Map<Integer, Long> send(int count, int parallel) {
    Map<Integer, Long> statuses = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sent.add(
            pool.submit(
                () -> {
                  int status = status("/");
                  requests.incrementAndGet();
                  statuses.merge(status, 1L, Long::sum);
                  return null;
                }));
      }
      for (Future<?> request : sent) {
        request.get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("traffic to " + target.id() + " failed", e);
    } finally {
      pool.shutdownNow();
    }
    return statuses;
  }

  /** Stops the process (SIGTERM, then SIGKILL) and waits for it. */
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

  public boolean isAlive() {
    return process.isAlive();
  }

  private int status(String path) throws IOException, InterruptedException {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://" + target.address() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException notListeningYet) {
      if (path.equals("/health")) {
        return -1;
      }
      throw notListeningYet;
    }
  }

  /** A loopback port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
