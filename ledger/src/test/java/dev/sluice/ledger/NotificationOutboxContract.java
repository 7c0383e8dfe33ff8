package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static dev.sluice.ledger.LedgerFixtures.entry;
import static dev.sluice.ledger.LedgerFixtures.newDeployment;
import static dev.sluice.ledger.LedgerFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The notification outbox ({@link NotificationOutbox}). */
abstract class NotificationOutboxContract extends LedgerContract {

  @Test
  void notifiableEventsEnterTheOutboxOnceEvenWhenRecordedAgain() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "2.0", null, null));
    DeploymentEvent started =
        new DeploymentEvent(1, START, "deployment.started", null, "rolling deployment started");
    DeploymentEvent drained = new DeploymentEvent(2, START, "target.drained", "web-1", "drained");
    LedgerEntry entry =
        new LedgerEntry(
            "d-1",
            "checkout",
            "2.0",
            null,
            DeploymentState.RUNNING,
            Phase.DEPLOYING,
            1,
            1,
            null,
            List.of(),
            List.of(started, drained),
            null);

    ledger.record(entry);
    ledger.record(entry);

    assertThat(ledger.notificationTypes("checkout")).containsExactly("deployment.started");
    List<Notification> claimed = ledger.claimNotifications(10, 5, Duration.ofMinutes(1));
    assertThat(claimed).hasSize(1);
    assertThat(claimed.get(0).payload()).contains("\"deploymentId\":\"d-1\"");
    assertThat(ledger.claimNotifications(10, 5, Duration.ofMinutes(1)))
        .as("claimed notifications are not handed out twice")
        .isEmpty();
    ledger.notificationFailed(claimed.get(0).id(), "503", Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(11));
    Notification again = ledger.claimNotifications(10, 5, Duration.ofMinutes(1)).get(0);
    assertThat(again.attempts()).isEqualTo(1);
    ledger.notificationDelivered(again.id());
    assertThat(ledger.undeliveredNotifications()).isZero();
  }
}
