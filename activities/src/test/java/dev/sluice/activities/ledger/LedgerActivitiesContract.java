package dev.sluice.activities.ledger;

import static dev.sluice.ledger.LedgerFixtures.event;
import static dev.sluice.ledger.LedgerFixtures.finished;
import static dev.sluice.ledger.LedgerFixtures.newDeployment;
import static dev.sluice.ledger.LedgerFixtures.request;
import static dev.sluice.ledger.LedgerFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.BeginResult;
import dev.sluice.ledger.BeginResult.Created;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.ledger.LedgerContract;
import dev.sluice.ledger.NewDeployment;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.workflows.activities.LedgerActivities.AbandonCall;
import dev.sluice.workflows.activities.LedgerActivities.BeginCall;
import org.junit.jupiter.api.Test;

/** The ledger activity ({@link LedgerActivitiesImpl}) over a real ledger, on each database. */
abstract class LedgerActivitiesContract extends LedgerContract {

  @Test
  void theLedgerActivityRecordsThroughTheLedger() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));

    new LedgerActivitiesImpl(ledger)
        .record(finished("d-1", "checkout", "2.0", DeploymentState.SUCCEEDED, "2.0", event(1)));

    assertThat(ledger.deployment("d-1").orElseThrow().state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(ledger.currentVersion("checkout")).contains("2.0");
  }

  @Test
  void aReleasesDeploymentsAreRecordedOnceNameTheReleaseAndAnUnstartedOneIsClosed() {
    ServiceDefinition checkout = service("checkout", "web-1", "web-2");
    ledger.putService(checkout, "alice");
    deployToEnd(checkout, "d-1", "1.0.0", null, DeploymentState.SUCCEEDED, "1.0.0");
    var activities = new LedgerActivitiesImpl(ledger);
    var main = request("d-main", checkout, "2.0.0");
    var back = request("d-back", checkout, "1.0.0");

    // A release that never reached its deployment: the row is closed and the service freed.
    assertThat(ledger.begin(NewDeployment.of(main, null, null, "1.0.0", "rel-1")))
        .isInstanceOf(BeginResult.Created.class);
    assertThat(ledger.deployment("d-main").orElseThrow().releaseId()).isEqualTo("rel-1");
    activities.abandon(
        new AbandonCall("d-main", "release rel-1 ended before this deployment: migration failed"));
    DeploymentRecord closed = ledger.deployment("d-main").orElseThrow();
    assertThat(closed.state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(closed.reason()).startsWith("release rel-1 ended");
    assertThat(ledger.lockHolder("checkout")).isEmpty();
    assertThat(ledger.history("checkout")).as("nothing ran, no version changed").hasSize(1);

    // A rollback of 2.0.0 is refused while the service does not run 2.0.0 …
    var call = new BeginCall(back, "2.0.0", "rel-2");
    assertThat(activities.begin(call)).isEqualTo("checkout runs 1.0.0 now, not 2.0.0");
    assertThat(ledger.deployment("d-back")).isEmpty();
    // … and while another deployment holds the service.
    deployToEnd(checkout, "d-2", "2.0.0", "1.0.0", DeploymentState.SUCCEEDED, "2.0.0");
    assertThat(ledger.begin(newDeployment("d-3", checkout, "2.0.1", null, null, "2.0.0")))
        .isInstanceOf(Created.class);
    assertThat(activities.begin(call)).isEqualTo("checkout is busy with deployment d-3");
    ledger.startFailed("d-3", "test");

    assertThat(activities.begin(call)).isNull();
    assertThat(activities.begin(call)).as("a retried activity records nothing twice").isNull();
    assertThat(ledger.lockHolder("checkout")).contains("d-back");
    assertThat(ledger.deployment("d-back").orElseThrow().releaseId()).isEqualTo("rel-2");
    assertThat(ledger.deployment("d-back").orElseThrow().previousVersion()).isEqualTo("2.0.0");
  }
}
