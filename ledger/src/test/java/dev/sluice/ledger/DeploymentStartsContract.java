package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static dev.sluice.ledger.LedgerFixtures.concurrently;
import static dev.sluice.ledger.LedgerFixtures.event;
import static dev.sluice.ledger.LedgerFixtures.finished;
import static dev.sluice.ledger.LedgerFixtures.newDeployment;
import static dev.sluice.ledger.LedgerFixtures.ofType;
import static dev.sluice.ledger.LedgerFixtures.request;
import static dev.sluice.ledger.LedgerFixtures.running;
import static dev.sluice.ledger.LedgerFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.ledger.BeginResult.Busy;
import dev.sluice.ledger.BeginResult.Created;
import dev.sluice.ledger.BeginResult.Existing;
import dev.sluice.ledger.BeginResult.KeyReused;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Starting deployments and the service locks ({@link DeploymentStarts}): begin, idempotency keys,
 * start failures, reopening, releasing a lock.
 */
abstract class DeploymentStartsContract extends LedgerContract {

  @Test
  void beginRecordsAPendingDeploymentThatHoldsTheServiceLock() {
    ServiceDefinition checkout = service("checkout", "web-1", "web-2");

    BeginResult result = ledger.begin(newDeployment("d-1", checkout, "1.0", "key-1", "fp-1"));

    assertThat(result).isInstanceOf(Created.class);
    DeploymentRecord created = ((Created) result).deployment();
    assertThat(created.id()).isEqualTo("d-1");
    assertThat(created.service()).isEqualTo("checkout");
    assertThat(created.version()).isEqualTo("1.0");
    assertThat(created.strategy()).isEqualTo("rolling");
    assertThat(created.state()).isEqualTo(DeploymentState.PENDING);
    assertThat(created.requestedBy()).isEqualTo("ci-token");
    assertThat(created.idempotencyKey()).isEqualTo("key-1");
    assertThat(created.requestFingerprint()).isEqualTo("fp-1");
    assertThat(created.request()).isEqualTo(request("d-1", checkout, "1.0"));
    assertThat(created.targets())
        .extracting(TargetStatus::id, TargetStatus::state)
        .containsExactly(tuple("web-1", TargetState.PENDING), tuple("web-2", TargetState.PENDING));
    assertThat(created.createdAt()).isEqualTo(START);
    assertThat(created.finishedAt()).isNull();
    assertThat(ledger.lockHolder("checkout")).contains("d-1");
    assertThat(ledger.deployment("d-1")).contains(created);
  }

  @Test
  void sameIdempotencyKeyAndFingerprintReturnsTheExistingDeployment() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "1.0", "key-1", "fp-1"));

    BeginResult retry = ledger.begin(newDeployment("d-2", checkout, "1.0", "key-1", "fp-1"));

    assertThat(retry).isInstanceOf(Existing.class);
    assertThat(((Existing) retry).deployment().id()).isEqualTo("d-1");
    assertThat(ledger.deployment("d-2")).isEmpty();
    assertThat(ledger.deployments(null, null, 10)).hasSize(1);
  }

  @Test
  void sameIdempotencyKeyWithAnotherFingerprintIsReportedAsKeyReused() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "1.0", "key-1", "fp-1"));

    BeginResult reused = ledger.begin(newDeployment("d-2", checkout, "2.0", "key-1", "fp-2"));

    assertThat(reused).isInstanceOf(KeyReused.class);
    assertThat(((KeyReused) reused).deployment().id()).isEqualTo("d-1");
    assertThat(ledger.deployment("d-2")).isEmpty();
  }

  @Test
  void secondBeginForABusyServiceIsBusyNamingTheRunningDeployment() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "1.0", null, "fp-1"));

    BeginResult second = ledger.begin(newDeployment("d-2", checkout, "2.0", null, "fp-2"));

    assertThat(second).isEqualTo(new Busy("d-1"));
    assertThat(ledger.deployment("d-2")).isEmpty();
    assertThat(ledger.lockHolder("checkout")).contains("d-1");
  }

  @Test
  void aBusyServiceDoesNotBlockAnotherService() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "1.0", null, null));

    BeginResult other =
        ledger.begin(newDeployment("d-2", service("billing", "b-1"), "1.0", null, null));

    assertThat(other).isInstanceOf(Created.class);
    assertThat(ledger.lockHolder("billing")).contains("d-2");
  }

  @Test
  void concurrentBeginsForOneServiceCreateExactlyOneDeployment() throws Exception {
    ServiceDefinition checkout = service("checkout", "web-1");
    List<BeginResult> results =
        concurrently(
            8, i -> ledger.begin(newDeployment("d-" + i, checkout, "1.0", null, "fp-" + i)));

    List<Created> created = ofType(results, Created.class);
    assertThat(created).hasSize(1);
    String winner = created.get(0).deployment().id();
    assertThat(ofType(results, Busy.class))
        .hasSize(7)
        .allSatisfy(busy -> assertThat(busy.runningDeploymentId()).isEqualTo(winner));
    assertThat(ledger.lockHolder("checkout")).contains(winner);
    assertThat(ledger.deployments("checkout", null, 20))
        .extracting(DeploymentRecord::id)
        .containsExactly(winner);
  }

  @Test
  void concurrentBeginsWithOneIdempotencyKeyCreateOneDeployment() throws Exception {
    ServiceDefinition checkout = service("checkout", "web-1");
    List<BeginResult> results =
        concurrently(8, i -> ledger.begin(newDeployment("d-" + i, checkout, "1.0", "key", "fp")));

    List<Created> created = ofType(results, Created.class);
    assertThat(created).hasSize(1);
    String winner = created.get(0).deployment().id();
    assertThat(ofType(results, Existing.class))
        .hasSize(7)
        .allSatisfy(existing -> assertThat(existing.deployment().id()).isEqualTo(winner));
  }

  @Test
  void startFailedMarksTheDeploymentFailedAndReleasesTheLock() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "2.0", null, null));
    Instant failedAt = clock.advance(Duration.ofSeconds(2));

    assertThat(ledger.startFailed("d-1", "Temporal unavailable")).isTrue();

    DeploymentRecord failed = ledger.deployment("d-1").orElseThrow();
    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.reason()).isEqualTo("Temporal unavailable");
    assertThat(failed.finishedAt()).isEqualTo(failedAt);
    assertThat(ledger.lockHolder("checkout")).isEmpty();
    assertThat(ledger.history("checkout")).isEmpty();
    assertThat(ledger.begin(newDeployment("d-2", checkout, "2.0", null, null)))
        .isInstanceOf(Created.class);
  }

  @Test
  void aKeyWhoseDeploymentNeverStartedCanBeUsedAgain() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "2.0", "ci-7", "fp"));
    ledger.startFailed("d-1", "Temporal unavailable");

    BeginResult retry = ledger.begin(newDeployment("d-2", checkout, "2.0", "ci-7", "fp"));

    assertThat(retry).isInstanceOf(Created.class);
    assertThat(((Created) retry).deployment().idempotencyKey()).isEqualTo("ci-7");
  }

  @Test
  void reopeningAFinishedDeploymentTakesTheLockAgainUnlessAnotherHoldsIt() {
    ServiceDefinition checkout = service("checkout", "web-1");
    deployToEnd(checkout, "d-1", "v2", "v1", DeploymentState.ABORTED, "v1");

    assertThat(ledger.reopen("d-1", "checkout", "alice")).isEmpty();

    DeploymentRecord reopened = ledger.deployment("d-1").orElseThrow();
    assertThat(reopened.state()).isEqualTo(DeploymentState.RUNNING);
    assertThat(reopened.finishedAt()).isNull();
    assertThat(ledger.lockHolder("checkout")).contains("d-1");
    assertThat(ledger.history("checkout")).isEmpty();
    assertThat(ledger.auditTrail("d-1", 10))
        .anySatisfy(
            a -> {
              assertThat(a.action()).isEqualTo("deployment.retry");
              assertThat(a.actor()).isEqualTo("alice");
            });
    assertThat(ledger.reopen("d-1", "checkout", "alice")).as("idempotent").isEmpty();

    ledger.record(finished("d-1", "checkout", "v2", DeploymentState.SUCCEEDED, "v2", event(99)));
    assertThat(ledger.currentVersion("checkout")).contains("v2");
    ledger.begin(newDeployment("d-2", checkout, "v3", null, null));
    assertThat(ledger.reopen("d-1", "checkout", "bob")).contains("d-2");
  }

  @Test
  void reopeningIsRefusedOnceALaterDeploymentOfTheServiceBegan() {
    ServiceDefinition checkout = service("checkout", "web-1");
    deployToEnd(checkout, "d-old", "2.1.0", "2.0.0", DeploymentState.ABORTED, "2.0.0");
    clock.advance(Duration.ofSeconds(1));
    deployToEnd(checkout, "d-new", "2.2.0", "2.0.0", DeploymentState.ABORTED, "2.0.0");

    assertThat(ledger.newerDeployment("checkout", "d-old")).contains("d-new");
    assertThat(ledger.reopen("d-old", "checkout", "alice"))
        .as("the service is free, but a later deployment began")
        .contains("d-new");
    assertThat(ledger.deployment("d-old").orElseThrow().state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(ledger.lockHolder("checkout")).isEmpty();
    assertThat(ledger.auditTrail("d-old", 10))
        .noneMatch(a -> a.action().equals("deployment.retry"));

    assertThat(ledger.newerDeployment("checkout", "d-new")).isEmpty();
    assertThat(ledger.reopen("d-new", "checkout", "alice"))
        .as("the newest deployment may be retried")
        .isEmpty();
  }

  @Test
  void startFailedLeavesADeploymentWhoseWorkflowRunsAlone() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));
    ledger.record(running("d-1", event(1)));

    assertThat(ledger.startFailed("d-1", "start timed out")).isFalse();

    assertThat(ledger.deployment("d-1").orElseThrow().state()).isEqualTo(DeploymentState.RUNNING);
    assertThat(ledger.lockHolder("checkout")).contains("d-1");
  }

  @Test
  void releaseLockFreesTheServiceOnlyForItsHolder() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));

    assertThat(ledger.releaseLock("checkout", "d-other")).isFalse();
    assertThat(ledger.lockHolder("checkout")).contains("d-1");

    assertThat(ledger.releaseLock("checkout", "d-1")).isTrue();
    assertThat(ledger.lockHolder("checkout")).isEmpty();
  }
}
