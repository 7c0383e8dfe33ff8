package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.activities.ledger.LedgerActivitiesImpl;
import dev.sluice.api.ApiFixture;
import dev.sluice.api.ApiFixtureAccess;
import dev.sluice.api.SluiceConfiguration;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.Target;
import dev.sluice.testkit.SluiceClient;
import dev.sluice.worker.SluiceWorker;
import dev.sluice.workflows.activities.AnalysisActivities;
import dev.sluice.workflows.activities.DeployActivities;
import dev.sluice.workflows.activities.HealthActivities;
import dev.sluice.workflows.activities.TrafficActivities;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.temporal.activity.ActivityInterface;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /api/v1/services/{name}/rollback} with {@code "fast": true} on the real application
 * (embedded Temporal, H2 ledger), its workflows run by a worker whose fleet, router and health
 * checks are the workflows' in-memory fleet and whose ledger activities are the real ones.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class FastRollbackTest {

  static final int TEMPORAL_PORT = freePort();

  static final DropwizardAppExtension<SluiceConfiguration> APP =
      ApiFixtureAccess.app(ConfigOverride.config("temporal.embeddedPort", "" + TEMPORAL_PORT));

  static final List<Target> FLEET =
      IntStream.rangeClosed(1, 4)
          .mapToObj(i -> new Target("t" + i, "127.0.0.1", 9100 + i, null))
          .toList();

  /** The analysis activities' type names start with it (their interface's name prefix). */
  static final String ANALYSIS_PREFIX =
      AnalysisActivities.class.getAnnotation(ActivityInterface.class).namePrefix();

  static InMemoryFleet fleet;
  static WorkflowServiceStubs stubs;
  static WorkflowClient client;
  static WorkerFactory factory;

  SluiceClient api;

  @BeforeAll
  static void worker() {
    fleet = new InMemoryFleet(FLEET, "0.9.0");
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + TEMPORAL_PORT)
                .build());
    client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(APP.getConfiguration().getTemporal().getTaskQueue());
    SluiceWorker.WORKFLOWS.forEach(worker::registerWorkflowImplementationTypes);
    worker.registerActivitiesImplementations(
        only(TrafficActivities.class),
        only(DeployActivities.class),
        only(HealthActivities.class),
        only(AnalysisActivities.class),
        new LedgerActivitiesImpl(
            new Ledger(Jdbi.create(APP.getConfiguration().getDatabase().getUrl(), "sa", ""))));
    factory.start();
  }

  @AfterAll
  static void stop() {
    factory.shutdownNow();
    stubs.shutdownNow();
  }

  @BeforeEach
  void client() {
    api = new SluiceClient(URI.create("http://127.0.0.1:" + APP.getLocalPort()), "alice");
  }

  @Test
  void aFastRollbackSkipsPausesAndMonitoringAndRollsAsManyAsMaxUnavailableAllows() {
    // Batches of one with an hour between them and post-deploy monitoring: a plain rollback of
    // this service takes three hours and a monitoring window.
    Map<String, Object> service = new HashMap<>(ApiFixture.service());
    service.put("fleet", FLEET.stream().map(FastRollbackTest::target).toList());
    service.put(
        "rolling", Map.of("batchSize", 1, "maxUnavailable", 2, "pauseBetweenBatches", "1h"));
    service.put("autoRollback", Map.of("window", "5m"));
    api.put("/api/v1/services/pay", service).expect(201);
    deployQuickly("1.0.0");
    deployQuickly("2.0.0");
    assertThat(fleet.maxOutOfRotation()).isEqualTo(1);

    JsonNode answer =
        api.post(
                "/api/v1/services/pay/rollback",
                Map.of("fast", true, "reason", "INC-7: checkout errors"))
            .expect(202)
            .body();
    assertThat(answer.path("action").asText()).isEqualTo("redeploy");
    assertThat(answer.path("version").asText()).isEqualTo("1.0.0");
    String id = answer.path("deploymentId").asText();

    JsonNode done = api.awaitFinal(id, Duration.ofSeconds(60), e -> {});

    assertThat(done.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.path("strategy").asText()).isEqualTo("rolling");
    assertThat(done.path("batch").path("total").asInt())
        .as("two batches of max-unavailable's two, not four of the service's one")
        .isEqualTo(2);
    assertThat(fleet.maxOutOfRotation()).isEqualTo(2);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(done.path("events").get(0).path("message").asText())
        .isEqualTo(
            "rolling deployment of pay 1.0.0 requested by alice"
                + " (fast rollback: INC-7: checkout errors)");

    List<HistoryEvent> history = client.fetchHistory(id).getHistory().getEventsList();
    assertThat(history)
        .as("no pause between batches and no bake: not one timer")
        .noneMatch(e -> e.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED);
    assertThat(activityTypes(history))
        .as("health checked on every target, nothing analysed or monitored")
        .contains("HealthWaitHealthy", "TrafficEnable")
        .noneMatch(type -> type.startsWith(ANALYSIS_PREFIX));
    assertThat(fleet.monitored()).isEmpty();

    JsonNode audit = api.get("/api/v1/audit?subject=pay").expect(200).body();
    assertThat(audit.path("entries"))
        .anySatisfy(
            e -> {
              assertThat(e.path("action").asText()).isEqualTo("service.rollback");
              assertThat(e.path("actor").asText()).isEqualTo("alice");
              assertThat(e.path("details").path("fast").asBoolean()).isTrue();
              assertThat(e.path("details").path("reason").asText())
                  .isEqualTo("INC-7: checkout errors");
              assertThat(e.path("details").path("deploymentId").asText()).isEqualTo(id);
            });
  }

  @Test
  void aFastThatIsNotABooleanIsA400NamingItAndStartsNothing() {
    api.put("/api/v1/services/pay-bad", ApiFixture.service()).expect(201);

    JsonNode error =
        api.post("/api/v1/services/pay-bad/rollback", Map.of("fast", "yes")).expect(400).body();

    assertThat(error.path("field").asText()).isEqualTo("fast");
    JsonNode unknown =
        api.post("/api/v1/services/pay-bad/rollback", Map.of("fastest", true)).expect(400).body();
    assertThat(unknown.path("field").asText()).isEqualTo("fastest");
    assertThat(api.get("/api/v1/deployments?service=pay-bad").body().path("deployments")).isEmpty();
    assertThat(api.get("/api/v1/audit?subject=pay-bad").body().path("entries"))
        .extracting(e -> e.path("action").asText())
        .containsOnly("service.put");
  }

  /** A deployment in one go, no monitoring, batches of one: the history a rollback goes back in. */
  private void deployQuickly(String version) {
    String id =
        api.post(
                "/api/v1/deployments",
                Map.of(
                    "service",
                    "pay",
                    "version",
                    version,
                    "overrides",
                    Map.of("pauseBetweenBatches", "0s"),
                    "autoRollback",
                    Map.of("window", "0s")))
            .expect(202)
            .body()
            .path("id")
            .asText();
    assertThat(api.awaitFinal(id, Duration.ofSeconds(60), e -> {}).path("state").asText())
        .isEqualTo("SUCCEEDED");
  }

  private static Map<String, Object> target(Target t) {
    return Map.of("id", t.id(), "host", t.host(), "port", t.port());
  }

  private static List<String> activityTypes(List<HistoryEvent> history) {
    List<String> types = new ArrayList<>();
    for (HistoryEvent e : history) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        types.add(e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      }
    }
    return types;
  }

  /**
   * The in-memory fleet as one activity interface only: it implements the ledger's too, which the
   * real ledger activities answer here.
   */
  private static Object only(Class<?> activities) {
    return Proxy.newProxyInstance(
        activities.getClassLoader(),
        new Class<?>[] {activities},
        (proxy, method, args) -> {
          try {
            return method.invoke(fleet, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
