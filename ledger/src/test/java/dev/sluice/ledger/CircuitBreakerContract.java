package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The deployment circuit breaker ({@link CircuitBreaker}). */
abstract class CircuitBreakerContract extends LedgerContract {

  @Test
  void threeFailuresInARowOpenTheCircuitForAnHourAndAnAbortDoesNotCount() {
    ServiceDefinition checkout = service("checkout", "web-1");
    deployToEnd(checkout, "d-1", "v1", null, DeploymentState.SUCCEEDED, "v1");
    deployToEnd(checkout, "d-2", "v2", "v1", DeploymentState.FAILED, "v1");
    deployToEnd(checkout, "d-3", "v3", "v1", DeploymentState.ABORTED, "v1");
    deployToEnd(checkout, "d-4", "v4", "v1", DeploymentState.ROLLED_BACK, "v1");
    assertThat(ledger.circuit("checkout").open()).isFalse();
    assertThat(ledger.circuit("checkout").consecutiveFailures()).isEqualTo(2);

    deployToEnd(checkout, "d-5", "v5", "v1", DeploymentState.FAILED, "v1");
    Instant lastFailure = ledger.deployment("d-5").orElseThrow().finishedAt();

    CircuitState open = ledger.circuit("checkout");
    assertThat(open.open()).isTrue();
    assertThat(open.consecutiveFailures()).isEqualTo(3);
    assertThat(open.blockedUntil()).isEqualTo(lastFailure.plus(Duration.ofHours(1)));
    assertThat(ledger.notificationTypes("checkout")).containsOnlyOnce(Ledger.CIRCUIT_OPENED);

    clock.advance(Duration.ofMinutes(61));
    assertThat(ledger.circuit("checkout").open()).as("an hour later").isFalse();
  }

  @Test
  void aResetClosesTheCircuitAndASuccessStartsTheCountAgain() {
    ServiceDefinition checkout = service("checkout", "web-1");
    deployToEnd(checkout, "d-1", "v2", "v1", DeploymentState.FAILED, "v1");
    deployToEnd(checkout, "d-2", "v3", "v1", DeploymentState.FAILED, "v1");
    deployToEnd(checkout, "d-3", "v4", "v1", DeploymentState.FAILED, "v1");
    assertThat(ledger.circuit("checkout").open()).isTrue();

    clock.advance(Duration.ofSeconds(1));
    ledger.resetCircuit("checkout", "admin");

    assertThat(ledger.circuit("checkout").open()).isFalse();
    assertThat(ledger.circuit("checkout").consecutiveFailures()).isZero();
    assertThat(ledger.auditTrail("checkout", 10))
        .anySatisfy(a -> assertThat(a.action()).isEqualTo("circuit.reset"));
    deployToEnd(checkout, "d-4", "v5", "v1", DeploymentState.FAILED, "v1");
    deployToEnd(checkout, "d-5", "v6", "v1", DeploymentState.SUCCEEDED, "v6");
    deployToEnd(checkout, "d-6", "v7", "v6", DeploymentState.FAILED, "v6");
    assertThat(ledger.circuit("checkout").consecutiveFailures()).isEqualTo(1);
  }
}
