package dev.sluice.activities.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

  static final String PUBLIC = "https://sluice.example.com";
  static final ObjectMapper JSON = new ObjectMapper();

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

  private void begin() {
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
  }

  private void deploymentFails() {
    begin();
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
            sender,
            () -> PUBLIC);

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
  void jsonNotificationsSayTheDeploymentsStateAndLinkToItsActions() throws Exception {
    deploymentFails();
    NotificationDispatcher dispatcher =
        new NotificationDispatcher(
            ledger,
            List.of(new Webhook("ops", url(), null, "json", List.of("deployment.failed"), null)),
            new WebhookSender(Map.of()),
            () -> PUBLIC + "/");

    dispatcher.deliverPending();

    JsonNode body = JSON.readTree(bodies.get(0));
    assertThat(body.path("version").asText()).isEqualTo("2.0.0");
    assertThat(body.path("strategy").asText()).isEqualTo("rolling");
    assertThat(body.path("state").asText()).isEqualTo("FAILED");
    assertThat(body.path("reason").asText()).isEqualTo("t1 unhealthy");
    assertThat(body.path("links"))
        .isEqualTo(
            JSON.readTree(
                """
                {"deployment": "https://sluice.example.com/#/deployments/d-1",
                 "promote": "https://sluice.example.com/#/deployments/d-1?action=promote",
                 "abort": "https://sluice.example.com/#/deployments/d-1?action=abort",
                 "api": "https://sluice.example.com/api/v1/deployments/d-1",
                 "apiPromote": "https://sluice.example.com/api/v1/deployments/d-1/promote",
                 "apiAbort": "https://sluice.example.com/api/v1/deployments/d-1/abort",
                 "serviceHistory": "https://sluice.example.com/api/v1/services/checkout/history"}
                """));
  }

  @Test
  void slackWebhooksGetTextAndBlocksAndOnlyTheEventsTheyAskFor() throws Exception {
    deploymentFails();
    NotificationDispatcher dispatcher =
        new NotificationDispatcher(
            ledger,
            List.of(new Webhook("slack", url(), null, "slack", List.of("deployment.failed"), null)),
            new WebhookSender(Map.of()),
            () -> PUBLIC);

    assertThat(dispatcher.deliverPending()).isEqualTo(2);

    assertThat(bodies).hasSize(1);
    assertThat(JSON.readTree(bodies.get(0)))
        .as("an ended deployment: only a button to open it")
        .isEqualTo(
            JSON.readTree(
                """
                {"text": "*checkout* deployment.failed (d-1): FAILED: t1 unhealthy",
                 "blocks": [
                   {"type": "section",
                    "text": {"type": "mrkdwn",
                             "text": "*checkout* deployment.failed (d-1): FAILED: t1 unhealthy"},
                    "fields": [{"type": "mrkdwn", "text": "*Service*\\ncheckout"},
                               {"type": "mrkdwn", "text": "*Version*\\n2.0.0"},
                               {"type": "mrkdwn", "text": "*Strategy*\\nrolling"},
                               {"type": "mrkdwn", "text": "*State*\\nFAILED"},
                               {"type": "mrkdwn", "text": "*Reason*\\nt1 unhealthy"}]},
                   {"type": "actions",
                    "elements": [{"type": "button", "action_id": "open",
                                  "text": {"type": "plain_text", "text": "Open"},
                                  "url": "https://sluice.example.com/#/deployments/d-1"}]}]}
                """));
    assertThat(ledger.undeliveredNotifications()).isZero();
  }

  @Test
  void aDeploymentWaitingForAPersonGetsPromoteAndAbortButtonsOnSlack() throws Exception {
    begin();
    ledger.record(
        new LedgerEntry(
            "d-1",
            "checkout",
            "2.0.0",
            "1.0.0",
            DeploymentState.RUNNING,
            Phase.WAITING,
            1,
            2,
            null,
            List.of(),
            List.of(
                new DeploymentEvent(
                    1,
                    Instant.now(),
                    "deployment.paused-for-a-person",
                    null,
                    "canary <10%> waits")),
            null));
    NotificationDispatcher dispatcher =
        new NotificationDispatcher(
            ledger,
            List.of(new Webhook("slack", url(), null, "slack", List.of(), null)),
            new WebhookSender(Map.of()),
            () -> PUBLIC);

    dispatcher.deliverPending();

    JsonNode message = JSON.readTree(bodies.get(0));
    assertThat(message.path("text").asText())
        .as("Slack's control characters escaped")
        .isEqualTo("*checkout* deployment.paused-for-a-person (d-1): canary &lt;10%&gt; waits");
    assertThat(message.path("blocks").get(0).path("fields").findValuesAsText("text"))
        .containsExactly(
            "*Service*\ncheckout", "*Version*\n2.0.0", "*Strategy*\nrolling", "*State*\nRUNNING");
    assertThat(message.path("blocks").get(1))
        .isEqualTo(
            JSON.readTree(
                """
                {"type": "actions",
                 "elements": [
                   {"type": "button", "action_id": "open",
                    "text": {"type": "plain_text", "text": "Open"},
                    "url": "https://sluice.example.com/#/deployments/d-1"},
                   {"type": "button", "action_id": "promote",
                    "text": {"type": "plain_text", "text": "Promote"},
                    "url": "https://sluice.example.com/#/deployments/d-1?action=promote",
                    "style": "primary"},
                   {"type": "button", "action_id": "abort",
                    "text": {"type": "plain_text", "text": "Abort"},
                    "url": "https://sluice.example.com/#/deployments/d-1?action=abort",
                    "style": "danger"}]}
                """));
  }
}
