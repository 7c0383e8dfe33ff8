package dev.sluice.activities.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.NewDeployment;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox reaches a real HTTP endpoint: once per notification, again after a failure. */
class NotificationDispatcherTest {

  @TempDir Path dir;
  JdbcConnectionPool pool;
  Ledger ledger;
  HttpServer server;
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final List<String> signatures = new CopyOnWriteArrayList<>();
  final AtomicInteger failuresLeft = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    pool = JdbcConnectionPool.create(Ledger.h2FileUrl(dir.resolve("ledger")), "sa", "");
    Ledger.migrate(pool);
    ledger = new Ledger(Jdbi.create(pool));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int status = failuresLeft.getAndDecrement() > 0 ? 500 : 200;
          if (status == 200) {
            bodies.add(body);
            signatures.add(exchange.getRequestHeaders().getFirst("X-Sluice-Signature"));
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    pool.dispose();
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  private void deploymentFails() {
    ServiceDefinition service =
        new ServiceDefinition(
            "checkout",
            List.of(new Target("t1", "127.0.0.1", 9001, null)),
            ProviderRef.of("haproxy"),
            ProviderRef.of("local-process"),
            null,
            "rolling",
            null);
    DeploymentRequest request =
        DeploymentRequest.builder()
            .deploymentId("d-1")
            .service(service)
            .version("2.0.0")
            .strategy("rolling")
            .rolling(RollingOptions.DEFAULT)
            .requestedBy("ci")
            .build();
    ledger.begin(NewDeployment.of(request, null, null, "1.0.0"));
    Instant now = Instant.now();
    ledger.record(
        new LedgerEntry(
            "d-1",
            "checkout",
            "2.0.0",
            "1.0.0",
            DeploymentState.FAILED,
            Phase.COMPLETED,
            1,
            1,
            "t1 unhealthy",
            List.of(),
            List.of(
                new DeploymentEvent(1, now, "deployment.started", null, "started"),
                new DeploymentEvent(2, now, "target.drained", "t1", "drained"),
                new DeploymentEvent(3, now, "deployment.failed", null, "FAILED: t1 unhealthy")),
            null));
  }

  @Test
  void everyNotificationReachesTheWebhookOnceSignedAndFailuresAreRetried() throws Exception {
    deploymentFails();
    failuresLeft.set(1);
    WebhookSender sender = new WebhookSender(Map.of("HOOK_URL", url(), "HOOK_SECRET", "s3cr3t"));
    NotificationDispatcher dispatcher =
        new NotificationDispatcher(
            ledger,
            List.of(new Webhook("ops", null, "HOOK_URL", "json", List.of(), "HOOK_SECRET")),
            sender);

    assertThat(dispatcher.deliverPending()).as("the first one met a 500").isEqualTo(1);
    assertThat(ledger.undeliveredNotifications()).isEqualTo(1);
    // Its retry is due after the back-off, not at once.
    assertThat(dispatcher.deliverPending()).isZero();

    assertThat(bodies).hasSize(1);
    assertThat(bodies.get(0)).contains("\"type\":\"deployment.failed\"");
    assertThat(signatures.get(0))
        .isEqualTo("sha256=" + WebhookSender.sign("s3cr3t", bodies.get(0)));
  }

  @Test
  void slackWebhooksGetOneLineOfTextAndOnlyTheEventsTheyAskFor() throws Exception {
    deploymentFails();
    NotificationDispatcher dispatcher =
        new NotificationDispatcher(
            ledger,
            List.of(new Webhook("slack", url(), null, "slack", List.of("deployment.failed"), null)),
            new WebhookSender(Map.of()));

    assertThat(dispatcher.deliverPending()).isEqualTo(2);

    assertThat(bodies)
        .containsExactly("{\"text\":\"*checkout* deployment.failed (d-1): FAILED: t1 unhealthy\"}");
    assertThat(ledger.undeliveredNotifications()).isZero();
  }
}
