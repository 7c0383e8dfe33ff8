package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.testkit.SluiceClient.Answer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts that race, as CI jobs retried at once or two pipelines of one service do: released
 * together by a latch, over real HTTP to the real application (embedded Temporal, H2).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ConcurrentStartsTest {

  static final DropwizardAppExtension<SluiceConfiguration> APP = ApiFixture.app();
  static final int CLIENTS = 12;

  final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  SluiceClient api() {
    return new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "ci");
  }

  /** Runs {@code request} from {@link #CLIENTS} threads released at one moment. */
  List<Answer> atOnce(Callable<Answer> request) throws Exception {
    CountDownLatch ready = new CountDownLatch(CLIENTS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      answers.add(
          pool.submit(
              () -> {
                ready.countDown();
                go.await();
                return request.call();
              }));
    }
    assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
    go.countDown();
    List<Answer> done = new ArrayList<>();
    for (Future<Answer> answer : answers) {
      done.add(answer.get(2, TimeUnit.MINUTES));
    }
    return done;
  }

  List<JsonNode> deploymentsOf(String service) {
    List<JsonNode> found = new ArrayList<>();
    api()
        .get("/api/v1/deployments?service=" + service)
        .expect(200)
        .body()
        .path("deployments")
        .forEach(found::add);
    return found;
  }

  @Test
  void simultaneousDeploysOfOneServiceStartExactlyOneAndRefuseTheRestNamingIt() throws Exception {
    api().put("/api/v1/services/race", ApiFixture.service()).expect(201);
    int[] n = {0};
    List<Answer> answers =
        atOnce(
            () -> {
              String version;
              synchronized (n) {
                version = "2.0." + n[0]++;
              }
              return api()
                  .post("/api/v1/deployments", Map.of("service", "race", "version", version));
            });

    List<Answer> started = answers.stream().filter(a -> a.status() == 202).toList();
    List<Answer> refused = answers.stream().filter(a -> a.status() == 409).toList();
    assertThat(started).as("answers: %s", answers).hasSize(1);
    assertThat(refused).as("answers: %s", answers).hasSize(CLIENTS - 1);
    String id = started.get(0).body().path("id").asText();
    assertThat(refused)
        .allSatisfy(a -> assertThat(a.body().toString()).contains(id))
        .allSatisfy(a -> assertThat(a.body().path("error").asText()).isNotBlank());
    List<JsonNode> recorded = deploymentsOf("race");
    assertThat(recorded).extracting(d -> d.path("id").asText()).containsExactly(id);
  }

  @Test
  void theSameIdempotencyKeyFromManyClientsAtOnceStartsOneDeployment() throws Exception {
    api().put("/api/v1/services/retried", ApiFixture.service()).expect(201);
    List<Answer> answers =
        atOnce(
            () ->
                api()
                    .post(
                        "/api/v1/deployments",
                        Map.of("service", "retried", "version", "3.1.0"),
                        "build-977"));

    assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.toString()).isIn(200, 202));
    Set<String> ids = new HashSet<>();
    answers.forEach(a -> ids.add(a.body().path("id").asText()));
    assertThat(ids).as("every client is told of one deployment").hasSize(1);
    assertThat(deploymentsOf("retried"))
        .extracting(d -> d.path("id").asText())
        .containsExactlyElementsOf(ids);
  }
}
