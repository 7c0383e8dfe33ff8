package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static dev.sluice.ledger.LedgerFixtures.finished;
import static dev.sluice.ledger.LedgerFixtures.newDeployment;
import static dev.sluice.ledger.LedgerFixtures.running;
import static dev.sluice.ledger.LedgerFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import org.junit.jupiter.api.Test;

/** The grouped counts Sluice's metrics read ({@link LedgerTallies}). */
abstract class LedgerTalliesContract extends LedgerContract {

  @Test
  void deploymentsAreCountedByServiceStrategyAndStateOneRowPerGroup() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ServiceDefinition cart = service("cart", "web-1");
    ledger.putService(checkout, "alice");
    ledger.putService(cart, "alice");
    for (String id : new String[] {"d-1", "d-2"}) {
      ledger.begin(newDeployment(id, checkout, "2.0", null, null));
      ledger.record(finished(id, "checkout", "2.0", DeploymentState.SUCCEEDED, "2.0"));
    }
    ledger.begin(newDeployment("d-3", checkout, "2.1", null, null));
    ledger.record(finished("d-3", "checkout", "2.1", DeploymentState.ROLLED_BACK, "2.0"));
    ledger.begin(newDeployment("d-4", cart, "1.1", null, null));
    ledger.record(running("d-4"));

    assertThat(ledger.deploymentTallies())
        .containsExactlyInAnyOrder(
            new DeploymentTally("checkout", "rolling", "SUCCEEDED", 2),
            new DeploymentTally("checkout", "rolling", "ROLLED_BACK", 1),
            new DeploymentTally("cart", "rolling", "RUNNING", 1));
  }

  @Test
  void canaryVerdictsAreCountedFromAnalysisEventsByServiceAndVerdict() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.putService(checkout, "alice");
    ledger.begin(newDeployment("d-1", checkout, "2.0", null, null));
    ledger.record(
        finished(
            "d-1",
            "checkout",
            "2.0",
            DeploymentState.ROLLED_BACK,
            "1.0",
            analysis(1, "PASS after 10 checks (0 without enough data): fine"),
            analysis(2, "INCONCLUSIVE after 3 checks (3 without enough data): no traffic"),
            analysis(3, "FAIL after 4 checks (0 without enough data): errors"),
            analysis(4, "PASS after 10 checks (0 without enough data): fine"),
            new DeploymentEvent(5, START, "canary.analysis-skipped", null, "analysis stopped")));

    assertThat(ledger.verdictTallies())
        .containsExactlyInAnyOrder(
            new VerdictTally("checkout", "PASS", 2),
            new VerdictTally("checkout", "FAIL", 1),
            new VerdictTally("checkout", "INCONCLUSIVE", 1));
  }

  @Test
  void anEmptyLedgerCountsNothing() {
    assertThat(ledger.deploymentTallies()).isEmpty();
    assertThat(ledger.verdictTallies()).isEmpty();
  }

  private static DeploymentEvent analysis(int seq, String message) {
    return new DeploymentEvent(seq, START.plusSeconds(seq), "canary.analysis", null, message);
  }
}
