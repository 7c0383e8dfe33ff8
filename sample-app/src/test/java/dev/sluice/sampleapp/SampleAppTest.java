package dev.sluice.sampleapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SampleAppTest {

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<SampleApp> apps = new ArrayList<>();

  @AfterEach
  void closeApps() {
    apps.forEach(SampleApp::close);
  }

  private SampleApp start(SampleAppConfig config) throws IOException {
    SampleApp app = SampleApp.start(config);
    apps.add(app);
    return app;
  }

  private HttpResponse<String> get(SampleApp app, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthReportsVersionTargetAndEachCheck() throws Exception {
    SampleApp app = start(SampleAppConfig.of("2.0.0").withTarget("t1"));

    HttpResponse<String> health = get(app, "/health");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(health.body())
        .isEqualTo(
            "{\"status\":\"ok\",\"version\":\"2.0.0\",\"target\":\"t1\","
                + "\"checks\":{\"disk\":\"ok\",\"worker-pool\":\"ok\",\"self-test\":\"ok\"}}");
  }

  @Test
  void unhealthyVersionAnswers503NamingTheFailingCheck() throws Exception {
    SampleApp app =
        start(SampleAppConfig.of("3.0.0").withBehavior(Behavior.WELL.withHealthy(false)));

    HttpResponse<String> health = get(app, "/health");

    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(health.body())
        .startsWith("{\"status\":\"failing\"")
        .contains("\"self-test\":\"failing\"")
        .contains("\"failing\":\"self-test\"");
  }

  @Test
  void versionEndpointNamesVersionAndTarget() throws Exception {
    SampleApp app = start(SampleAppConfig.of("1.4.2").withTarget("web-3"));

    HttpResponse<String> version = get(app, "/api/version");

    assertThat(version.statusCode()).isEqualTo(200);
    assertThat(version.body()).isEqualTo("{\"version\":\"1.4.2\",\"target\":\"web-3\"}");
  }

  @Test
  void rootDoesWorkAndAnswersWithTheVersion() throws Exception {
    SampleApp app = start(SampleAppConfig.of("2.0.0"));

    HttpResponse<String> root = get(app, "/");

    assertThat(root.statusCode()).isEqualTo(200);
    assertThat(root.body())
        .matches("\\{\"version\":\"2.0.0\",\"target\":\"local\",\"work\":\"[0-9a-f]{16}\"}");
  }

  @Test
  void unknownPathIsNotFoundAndOtherMethodsAreRejected() throws Exception {
    SampleApp app = start(SampleAppConfig.of("2.0.0"));

    HttpResponse<String> missing = get(app, "/nope");
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void headAndOptionsAnswerWithoutABodyForLoadBalancerChecks() throws Exception {
    SampleApp app = start(SampleAppConfig.of("2.0.0"));
    URI health = URI.create("http://127.0.0.1:" + app.port() + "/health");

    HttpResponse<String> head =
        http.send(
            HttpRequest.newBuilder(health)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> options =
        http.send(
            HttpRequest.newBuilder(health)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(options.statusCode()).isEqualTo(204);
    assertThat(options.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");
  }

  @Test
  void errorRateFailsThatShareOfRequests() throws Exception {
    SampleApp app =
        start(SampleAppConfig.of("3.0.0").withBehavior(Behavior.WELL.withErrorRate(0.2)));
    int requests = 1000;

    int failures = 0;
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> response = get(app, "/");
      if (response.statusCode() == 500) {
        assertThat(response.body()).contains("\"error\":\"injected failure\"");
        failures++;
      } else {
        assertThat(response.statusCode()).isEqualTo(200);
      }
    }

    // Binomial(1000, 0.2) has a standard deviation of about 12.6 (1.3 %): +-5 % is four of them,
    // so this fails by chance about once in 15,000 runs.
    assertThat(failures / (double) requests).isBetween(0.15, 0.25);
  }

  @Test
  void wellBehavedVersionNeverFails() throws Exception {
    SampleApp app = start(SampleAppConfig.of("2.0.0"));

    for (int i = 0; i < 200; i++) {
      assertThat(get(app, "/").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void latencyIsAddedToEveryRootRequest() throws Exception {
    SampleApp app =
        start(SampleAppConfig.of("3.0.0").withBehavior(Behavior.WELL.withLatencyMs(200)));

    long started = System.nanoTime();
    HttpResponse<String> root = get(app, "/");
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(root.statusCode()).isEqualTo(200);
    assertThat(tookMs).isGreaterThanOrEqualTo(200);
  }

  @Test
  void delayParameterHoldsTheRequest() throws Exception {
    SampleApp app = start(SampleAppConfig.of("2.0.0"));

    long started = System.nanoTime();
    HttpResponse<String> root = get(app, "/?delayMs=300");
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(root.statusCode()).isEqualTo(200);
    assertThat(tookMs).isGreaterThanOrEqualTo(300);
    assertThat(get(app, "/?delayMs=soon").statusCode()).isEqualTo(400);
  }

  @Test
  void startupDelayKeepsThePortClosedUntilItPasses() throws Exception {
    long started = System.nanoTime();
    SampleApp app =
        start(SampleAppConfig.of("2.0.0").withBehavior(Behavior.WELL.withStartupDelayMs(300)));
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(tookMs).isGreaterThanOrEqualTo(300);
    assertThat(get(app, "/health").statusCode()).isEqualTo(200);
  }

  @Test
  void versionConfiguredToCrashRefusesToStart() {
    Behavior crashing = new Behavior(true, 0, 0, 0, true);

    assertThatThrownBy(() -> start(SampleAppConfig.of("4.0.0").withBehavior(crashing)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("crashOnStart");
  }

  @Test
  void shutdownReportsDrainingAndLetsInFlightRequestsFinish() throws Exception {
    SampleApp app = start(SampleAppConfig.of("2.0.0"));
    ExecutorService background = Executors.newFixedThreadPool(2);
    try {
      Future<HttpResponse<String>> slow = background.submit(() -> get(app, "/?delayMs=1500"));
      await(() -> app.inFlight() == 1, "the slow request to arrive");

      Future<?> closing = background.submit(app::close);
      await(app::draining, "shutdown to begin");
      HttpResponse<String> health = get(app, "/health");

      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).startsWith("{\"status\":\"draining\"");
      assertThat(closing).isNotDone();
      assertThat(slow.get().statusCode()).isEqualTo(200);
      closing.get();
      assertThatThrownBy(() -> get(app, "/health")).isInstanceOf(IOException.class);
    } finally {
      background.shutdownNow();
    }
  }

  @Test
  void serves32RequestsAtOnce() throws Exception {
    SampleApp app = start(SampleAppConfig.of("2.0.0"));
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    long started = System.nanoTime();

    for (int i = 0; i < 32; i++) {
      responses.add(
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/?delayMs=500"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().statusCode()).isEqualTo(200);
    }

    // Served one after another they would take 16 s; the pool runs them side by side.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }
}
