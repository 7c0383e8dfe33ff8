package dev.sluice.api.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.activities.deploy.ssh.SshdInstance;
import dev.sluice.api.SluiceApplication;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import dev.sluice.testkit.LoadGenerator;
import dev.sluice.testkit.LocalStack;
import dev.sluice.testkit.SecretScan;
import dev.sluice.testkit.SeparateWorker;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.worker.TemporalBackend;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strategies over SSH, unchanged but for the deployer: a real OpenSSH server on loopback in
 * front of "hosts" whose {@code docker} is a stand-in running sample-app processes behind HAProxy,
 * under 120 requests/s. The service definition names {@code ssh} with the docker template; nothing
 * else differs from the local-process tests.
 */
class SshDeploymentIT {

  @TempDir Path dir;

  private SshdInstance sshd;
  private LocalStack stack;
  private EmbeddedPostgres postgres;
  private TemporalBackend temporal;
  private SluiceApplication.Running api;
  private Process worker;

  private LocalStack.Options overSsh(boolean pools) throws Exception {
    Path jar = Path.of(System.getProperty("sluice.sampleAppJar"));
    sshd = SshdInstance.start(dir.resolve("sshd"));
    Path stackDir = dir.resolve("stack");
    // LocalStack writes the per-version behaviour here before it starts the fleet.
    Path docker = sshd.installDockerStandIn(jar, stackDir.resolve("versions.properties"));
    Map<String, Object> template =
        Map.of("type", "docker", "image", "shop/checkout", "docker", List.of(docker.toString()));
    LocalStack.Options options =
        LocalStack.Options.defaults(stackDir, jar)
            .withDeployer(new ProviderRef("ssh", sshd.deployerSettings(template)));
    return pools ? options.withPools() : options;
  }

  @Test
  void rollingAndCanaryOverSshLoseNoRequestAndABadVersionIsRolledBack() throws Exception {
    stack = LocalStack.start(overSsh(false), SluiceApplication::startServer);
    SluiceClient client = stack.client();
    client.put("/api/v1/services/checkout", stack.serviceDefinition()).expect(201);

    String v2;
    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      v2 = start(client, Map.of("service", "checkout", "version", "2.0.0"));
      JsonNode done = client.awaitFinal(v2, Duration.ofMinutes(3), e -> {});
      assertThat(done.path("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(stack.versions().values()).containsOnly("2.0.0");
      // What the host printed is in the deployment's events, beside the step it belongs to.
      assertThat(done.path("events").toString())
          .contains("t1 verifying: deployed 2.0.0 on ")
          .contains("docker pull shop/checkout:2.0.0");

      String v3 =
          start(
              client,
              Map.of(
                  "service", "checkout",
                  "version", "3.0.0",
                  "overrides", Map.of("rollbackOnFailure", true)));
      JsonNode rolledBack = client.awaitFinal(v3, Duration.ofMinutes(3), e -> {});
      assertThat(rolledBack.path("state").asText()).isEqualTo("ROLLED_BACK");
      assertThat(rolledBack.path("reason").asText()).contains("health check failed");
      assertThat(stack.versions().values()).containsOnly("2.0.0");

      String canary =
          start(
              client,
              Map.of(
                  "service", "checkout",
                  "version", "2.1.0",
                  "strategy", "canary",
                  "canary",
                      Map.of(
                          "steps",
                          List.of(
                              Map.of("setWeight", 25),
                              Map.of("pause", Map.of("duration", "3s"))))));
      JsonNode promoted = client.awaitFinal(canary, Duration.ofMinutes(3), e -> {});
      LoadGenerator.Report report = load.stop();

      assertThat(promoted.path("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(stack.versions().values()).containsOnly("2.1.0");
      assertThat(report.failed()).as("failed requests: %s", report.failures()).isZero();
      assertThat(report.rate()).isGreaterThanOrEqualTo(100);
      assertThat(report.byVersion()).containsKeys("1.0.0", "2.0.0", "2.1.0");
    }
    // On the hosts: every request carried out once, every start ended (done or failed).
    List<String> done = new ArrayList<>();
    for (Target target : stack.targets()) {
      List<String> lines = history(target);
      assertThat(lines.stream().filter(l -> l.contains(" start ")).count())
          .as("%s's deploys on the host: %s", target.id(), lines)
          .isEqualTo(
              lines.stream().filter(l -> l.contains(" done ") || l.contains(" failed ")).count());
      lines.stream().filter(l -> l.contains(" done ")).map(l -> l.split(" ")[2]).forEach(done::add);
    }
    assertThat(done)
        .doesNotHaveDuplicates()
        .contains(v2 + "/t1/upgrade", v2 + "/t2/upgrade", v2 + "/t3/upgrade", v2 + "/t4/upgrade");
    // The key's passphrase was read from its file on every connection: it reached no workflow
    // history, no ledger row and no log.
    SecretScan.assertNoneOf(List.of(SshdInstance.PASSPHRASE), v2, SecretScan.Sources.of(stack));
  }

  @Test
  void blueGreenOverSshLosesNoRequest() throws Exception {
    stack = LocalStack.start(overSsh(true), SluiceApplication::startServer);
    SluiceClient client = stack.client();
    client.put("/api/v1/services/checkout", stack.serviceDefinition()).expect(201);

    try (LoadGenerator load = new LoadGenerator(stack.frontend(), 120).start()) {
      String v2 =
          start(
              client,
              Map.of(
                  "service", "checkout",
                  "version", "2.0.0",
                  "strategy", "blue-green",
                  "blueGreen", Map.of("warmUp", "3s", "rollbackWindow", "2s")));
      JsonNode done =
          client.awaitFinal(
              v2,
              Duration.ofMinutes(3),
              e -> System.out.println(e.path("at").asText() + " " + e.path("message").asText()));
      LoadGenerator.Report report = load.stop();

      assertThat(done.path("state").asText())
          .as("%s; failures seen by the load: %s", done.path("reason").asText(), report.failures())
          .isEqualTo("SUCCEEDED");
      assertThat(stack.versions())
          .containsEntry("t1", "1.0.0")
          .containsEntry("t2", "1.0.0")
          .containsEntry("t3", "2.0.0")
          .containsEntry("t4", "2.0.0");
      assertThat(report.failed()).as("failed requests: %s", report.failures()).isZero();
      assertThat(report.byVersion()).containsKeys("1.0.0", "2.0.0");
      SecretScan.assertNoneOf(List.of(SshdInstance.PASSPHRASE), v2, SecretScan.Sources.of(stack));
    }
  }

  @Test
  void aWorkerKilledInTheMiddleOfAnSshDeployIsReplacedAndEachTargetIsDeployedOnce()
      throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    temporal = SeparateWorker.startDevServer(dir);
    stack = LocalStack.start(overSsh(false).withoutServer());
    int port = LocalStack.freePort();
    Path config =
        SeparateWorker.writeConfig(
            dir, port, postgres.getJdbcUrl("postgres", "postgres"), temporal.address(), "");
    api = SluiceApplication.startServer(config);
    SluiceClient client = new SluiceClient(URI.create("http://127.0.0.1:" + port), "ci");
    Map<String, Object> service = new LinkedHashMap<>(stack.serviceDefinition());
    service.put("rolling", Map.of("batchSize", 1, "pauseBetweenBatches", "1s"));
    client.put("/api/v1/services/checkout", service).expect(201);
    // Each pull takes 4 s on the host, so the worker dies while t2's deploy runs there.
    Files.writeString(sshd.containers().resolve("pull-delay"), "4");

    worker = SeparateWorker.start(config, dir, "worker-1.log", Map.of());
    String id = start(client, Map.of("service", "checkout", "version", "2.0.0"));
    Awaitility.await("t2's deploy started on the host")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                history(stack.targets().get(1)).stream()
                    .anyMatch(l -> l.contains(" start " + id + "/")));
    worker.destroyForcibly(); // SIGKILL, while the host is pulling for t2
    assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(history(stack.targets().get(1))).noneMatch(l -> l.contains(" done " + id + "/"));

    worker = SeparateWorker.start(config, dir, "worker-2.log", Map.of());
    JsonNode done = client.awaitFinal(id, Duration.ofMinutes(3), e -> {});

    assertThat(done.path("state").asText())
        .as("deployment after the crash; worker log:%n%s", SeparateWorker.tail(dir, "worker-2.log"))
        .isEqualTo("SUCCEEDED");
    assertThat(stack.versions().values()).containsOnly("2.0.0");
    for (Target target : stack.targets()) {
      List<String> lines = history(target);
      assertThat(lines)
          .as("%s deployed once for this deployment", target.id())
          .filteredOn(l -> l.contains(" start " + id + "/"))
          .hasSize(1);
      assertThat(lines).filteredOn(l -> l.contains(" done " + id + "/")).hasSize(1);
    }
    assertThat(history(stack.targets().get(1)))
        .as("the new worker's retry found t2's deploy done on the host")
        .anyMatch(l -> l.contains(" already-done " + id + "/t2/"));
    // Separate processes, the dev server and PostgreSQL: the passphrase is in none of them.
    SecretScan.assertNoneOf(
        List.of(SshdInstance.PASSPHRASE),
        id,
        new SecretScan.Sources(
            temporal.address(),
            "default",
            postgres.getJdbcUrl("postgres", "postgres"),
            "postgres",
            "postgres",
            List.of(dir.resolve("worker-1.log"), dir.resolve("worker-2.log"))));
  }

  private List<String> history(Target target) throws IOException {
    Path file = sshd.hostState().resolve(target.id() + ".history");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private static String start(SluiceClient client, Map<String, Object> body) {
    return client.post("/api/v1/deployments", body).expect(202).body().path("id").asText();
  }

  @AfterEach
  void stopEverything() throws Exception {
    SeparateWorker.stop(worker);
    if (api != null) {
      api.close();
    }
    if (stack != null) {
      stack.close();
    }
    if (sshd != null) {
      sshd.close();
    }
    if (temporal != null) {
      temporal.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
