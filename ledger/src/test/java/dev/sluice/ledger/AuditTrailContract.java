package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static dev.sluice.ledger.LedgerFixtures.event;
import static dev.sluice.ledger.LedgerFixtures.finished;
import static dev.sluice.ledger.LedgerFixtures.newDeployment;
import static dev.sluice.ledger.LedgerFixtures.running;
import static dev.sluice.ledger.LedgerFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit trail ({@link AuditTrail}). */
abstract class AuditTrailContract extends LedgerContract {

  @Test
  void everyMutationLeavesAnAuditRow() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.putService(checkout, "alice");
    ledger.putService(checkout, "bob");
    ledger.begin(newDeployment("d-1", checkout, "2.0", "key-1", "fp"));
    ledger.startFailed("d-1", "Temporal unavailable");
    ledger.begin(newDeployment("d-2", checkout, "2.0", null, null));
    ledger.releaseLock("checkout", "d-2");
    ledger.audit("carol", "deployment.abort", "d-2", Map.of("reason", "bad metrics"));

    List<AuditEntry> trail = ledger.auditTrail(null, 100);

    assertThat(trail)
        .extracting(AuditEntry::actor, AuditEntry::action, AuditEntry::subject)
        .containsExactly(
            tuple("carol", "deployment.abort", "d-2"),
            tuple(Ledger.SYSTEM_ACTOR, "lock.released", "checkout"),
            tuple("ci-token", "deployment.begin", "d-2"),
            tuple(Ledger.SYSTEM_ACTOR, "deployment.start-failed", "d-1"),
            tuple("ci-token", "deployment.begin", "d-1"),
            tuple("bob", "service.put", "checkout"),
            tuple("alice", "service.put", "checkout"));
    assertThat(trail.get(0).details().get("reason").asText()).isEqualTo("bad metrics");
    assertThat(trail.get(1).details().get("deploymentId").asText()).isEqualTo("d-2");
    assertThat(trail.get(4).details().get("idempotencyKey").asText()).isEqualTo("key-1");
    assertThat(trail.get(5).details().get("created").asBoolean()).isFalse();
    assertThat(trail.get(6).details().get("created").asBoolean()).isTrue();
    assertThat(trail.get(6).at()).isEqualTo(START);
  }

  @Test
  void auditTrailFiltersBySubjectAndLimits() {
    ledger.audit("alice", "deployment.pause", "d-1", null);
    ledger.audit("alice", "deployment.resume", "d-1", null);
    ledger.audit("bob", "deployment.pause", "d-2", null);

    assertThat(ledger.auditTrail("d-1", 10))
        .extracting(AuditEntry::action)
        .containsExactly("deployment.resume", "deployment.pause");
    assertThat(ledger.auditTrail(null, 1)).extracting(AuditEntry::subject).containsExactly("d-2");
    assertThat(ledger.auditTrail("d-1", 10).get(0).details()).isNull();
  }

  @Test
  void latestAuditGivesEachSubjectsNewestEntryOfOneActionNewestFirst() {
    ledger.audit("alice", "dualwrite.start", "orders", Map.of("flagKey", "orders-v1"));
    ledger.audit("bob", "dualwrite.start", "profiles", Map.of("flagKey", "profiles-phase"));
    ledger.audit("bob", "dualwrite.abort", "orders", null);
    ledger.audit("carol", "dualwrite.start", "orders", Map.of("flagKey", "orders-v2"));
    ledger.audit("carol", "dualwrite.start", null, null);

    List<AuditEntry> latest = ledger.latestAudit("dualwrite.start", 10);

    assertThat(latest)
        .extracting(AuditEntry::actor, AuditEntry::subject)
        .containsExactly(tuple("carol", "orders"), tuple("bob", "profiles"));
    assertThat(latest.get(0).details().get("flagKey").asText()).isEqualTo("orders-v2");
    assertThat(ledger.latestAudit("dualwrite.start", 1))
        .extracting(AuditEntry::subject)
        .containsExactly("orders");
    assertThat(ledger.latestAudit("release.start", 10)).isEmpty();
  }

  @Test
  void progressRecordsAreNotAudited() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));
    int before = ledger.auditTrail(null, 100).size();

    ledger.record(running("d-1", event(1)));
    ledger.record(finished("d-1", "checkout", "2.0", DeploymentState.SUCCEEDED, "2.0", event(2)));

    assertThat(ledger.auditTrail(null, 100)).hasSize(before);
  }
}
