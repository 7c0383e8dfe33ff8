package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.event;
import static dev.sluice.ledger.LedgerFixtures.finished;
import static dev.sluice.ledger.LedgerFixtures.newDeployment;
import static dev.sluice.ledger.LedgerFixtures.running;
import static dev.sluice.ledger.LedgerFixtures.service;
import static dev.sluice.ledger.LedgerFixtures.withBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Reads ({@link DeploymentReads}): a deployment with its events, lists, the version history and the
 * versions it implies.
 */
abstract class DeploymentReadsContract extends LedgerContract {

  @Test
  void aDeploymentReadWithItsEventsNeverShowsAnEventNewerThanItsRow() throws Exception {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));
    int records = 200;
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      // Record k adds event k and moves the row to batch k, in one transaction.
      Future<?> writing =
          writer.submit(
              () -> {
                for (int k = 1; k <= records; k++) {
                  ledger.record(withBatch(running("d-1", event(k)), k));
                }
              });
      int reads = 0;
      while (!writing.isDone() || reads == 0) {
        DeploymentWithEvents seen = ledger.deploymentWithEvents("d-1").orElseThrow();
        int newestEvent = seen.events().stream().mapToInt(DeploymentEvent::seq).max().orElse(0);
        assertThat(seen.deployment().batch())
            .as("the row read beside event %d", newestEvent)
            .isGreaterThanOrEqualTo(newestEvent);
        reads++;
      }
      writing.get();
    } finally {
      writer.shutdownNow();
    }
    assertThat(ledger.deploymentWithEvents("d-1").orElseThrow().events()).hasSize(records);
    assertThat(ledger.deploymentWithEvents("unknown")).isEmpty();
  }

  @Test
  void historyAnswersCurrentAndPreviousVersionAfterARolledBackDeployment() {
    ServiceDefinition checkout = service("checkout", "web-1");
    deployToEnd(checkout, "d-1", "v1", null, DeploymentState.SUCCEEDED, "v1");
    deployToEnd(checkout, "d-2", "v2", "v1", DeploymentState.SUCCEEDED, "v2");
    deployToEnd(checkout, "d-3", "v3", "v2", DeploymentState.ROLLED_BACK, "v2");

    assertThat(ledger.currentVersion("checkout")).contains("v2");
    assertThat(ledger.previousVersion("checkout")).contains("v1");
    assertThat(ledger.history("checkout"))
        .extracting(VersionHistoryEntry::version, VersionHistoryEntry::outcome)
        .containsExactly(
            tuple("v1", DeploymentState.SUCCEEDED),
            tuple("v2", DeploymentState.SUCCEEDED),
            tuple("v3", DeploymentState.ROLLED_BACK));
    assertThat(ledger.targetVersions("checkout")).containsExactly(Map.entry("web-1", "v2"));
  }

  @Test
  void theVersionTheWorkflowFoundOnTheFleetIsThePreviousOneOfAFirstDeployment() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "v2", null, null));
    LedgerEntry done = finished("d-1", "checkout", "v2", DeploymentState.SUCCEEDED, "v2", event(1));
    ledger.record(
        new LedgerEntry(
            done.deploymentId(),
            done.service(),
            done.version(),
            "v1",
            done.state(),
            done.phase(),
            done.batch(),
            done.batches(),
            done.reason(),
            done.targets(),
            done.events(),
            done.currentVersion()));

    assertThat(ledger.deployment("d-1").orElseThrow().previousVersion()).isEqualTo("v1");
    assertThat(ledger.currentVersion("checkout")).contains("v2");
    assertThat(ledger.previousVersion("checkout")).contains("v1");
  }

  @Test
  void aServiceWithoutFinishedDeploymentsHasNoCurrentOrPreviousVersion() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "v1", null, null));

    assertThat(ledger.currentVersion("checkout")).isEmpty();
    assertThat(ledger.previousVersion("checkout")).isEmpty();
    assertThat(ledger.history("checkout")).isEmpty();
  }

  @Test
  void deploymentsAreListedNewestFirstAndFilteredByServiceAndState() {
    ServiceDefinition checkout = service("checkout", "web-1");
    deployToEnd(checkout, "d-1", "v1", null, DeploymentState.SUCCEEDED, "v1");
    clock.advance(Duration.ofMinutes(1));
    deployToEnd(checkout, "d-2", "v2", "v1", DeploymentState.FAILED, null);
    clock.advance(Duration.ofMinutes(1));
    ledger.begin(newDeployment("b-1", service("billing", "b-1"), "v7", null, null));
    clock.advance(Duration.ofMinutes(1));
    ledger.begin(newDeployment("d-3", checkout, "v3", null, null));

    assertThat(ledger.deployments(null, null, 10))
        .extracting(DeploymentRecord::id)
        .containsExactly("d-3", "b-1", "d-2", "d-1");
    assertThat(ledger.deployments("checkout", null, 2))
        .extracting(DeploymentRecord::id)
        .containsExactly("d-3", "d-2");
    assertThat(ledger.deployments("checkout", DeploymentState.FAILED, 10))
        .extracting(DeploymentRecord::id)
        .containsExactly("d-2");
    assertThat(ledger.deployments(null, DeploymentState.PENDING, 10))
        .extracting(DeploymentRecord::id)
        .containsExactly("d-3", "b-1");
  }
}
