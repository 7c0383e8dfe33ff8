package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static dev.sluice.ledger.LedgerFixtures.concurrently;
import static dev.sluice.ledger.LedgerFixtures.entry;
import static dev.sluice.ledger.LedgerFixtures.event;
import static dev.sluice.ledger.LedgerFixtures.finished;
import static dev.sluice.ledger.LedgerFixtures.newDeployment;
import static dev.sluice.ledger.LedgerFixtures.running;
import static dev.sluice.ledger.LedgerFixtures.service;
import static dev.sluice.ledger.LedgerFixtures.withBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.ledger.BeginResult.Created;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.model.Waiting;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Progress records ({@link ProgressRecords}): a deployment’s and a child’s, idempotent, and never
 * undone by a late or out-of-order one.
 */
abstract class ProgressRecordsContract extends LedgerContract {

  @Test
  void recordStoresProgressTargetsAndTargetVersions() {
    ServiceDefinition checkout = service("checkout", "web-1", "web-2");
    ledger.begin(newDeployment("d-1", checkout, "2.0", null, null));
    Instant later = clock.advance(Duration.ofSeconds(5));
    List<TargetStatus> targets =
        List.of(
            new TargetStatus("web-1", "1.0", "2.0", TargetState.UPGRADED, null),
            new TargetStatus("web-2", "1.0", "1.0", TargetState.DRAINING, "3 sessions left"));

    ledger.record(
        entry(
            "d-1",
            "checkout",
            "2.0",
            DeploymentState.RUNNING,
            Phase.DEPLOYING,
            targets,
            null,
            event(1),
            event(2)));

    DeploymentRecord stored = ledger.deployment("d-1").orElseThrow();
    assertThat(stored.state()).isEqualTo(DeploymentState.RUNNING);
    assertThat(stored.phase()).isEqualTo(Phase.DEPLOYING);
    assertThat(stored.batch()).isEqualTo(1);
    assertThat(stored.batches()).isEqualTo(2);
    assertThat(stored.targets()).isEqualTo(targets);
    assertThat(stored.updatedAt()).isEqualTo(later);
    assertThat(stored.finishedAt()).isNull();
    assertThat(ledger.events("d-1")).containsExactly(event(1), event(2));
    assertThat(ledger.targetVersions("checkout"))
        .containsExactly(Map.entry("web-1", "2.0"), Map.entry("web-2", "1.0"));
    assertThat(ledger.lockHolder("checkout")).contains("d-1");
  }

  @Test
  void recordMergesTheTargetsThatChangedIntoTheStoredList() {
    ServiceDefinition checkout = service("checkout", "web-1", "web-2");
    ledger.begin(newDeployment("d-1", checkout, "2.0", null, null));
    TargetStatus web1 = new TargetStatus("web-1", "1.0", "1.0", TargetState.PENDING, null);
    TargetStatus web2 = new TargetStatus("web-2", "1.0", "1.0", TargetState.PENDING, null);
    ledger.record(
        entry(
            "d-1",
            "checkout",
            "2.0",
            DeploymentState.RUNNING,
            Phase.DEPLOYING,
            List.of(web1, web2),
            null,
            event(1)));

    TargetStatus web2Upgraded = new TargetStatus("web-2", "1.0", "2.0", TargetState.UPGRADED, null);
    ledger.record(
        entry(
            "d-1",
            "checkout",
            "2.0",
            DeploymentState.RUNNING,
            Phase.DEPLOYING,
            List.of(web2Upgraded),
            null,
            event(2)));

    assertThat(ledger.deployment("d-1").orElseThrow().targets())
        .containsExactly(web1, web2Upgraded);
    assertThat(ledger.targetVersions("checkout"))
        .containsExactly(Map.entry("web-1", "1.0"), Map.entry("web-2", "2.0"));
  }

  @Test
  void recordingTheSameEventsAgainStoresEachOnce() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));
    LedgerEntry first = running("d-1", event(1), event(2), event(3));

    ledger.record(first);
    ledger.record(first);
    ledger.record(running("d-1", event(3), event(4), event(4), event(5)));

    assertThat(ledger.events("d-1"))
        .containsExactly(event(1), event(2), event(3), event(4), event(5));
  }

  @Test
  void progressArrivingOutOfOrderKeepsTheNewerStateButStoresAllEvents() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));
    LedgerEntry newer = withBatch(running("d-1", event(5)), 2);
    LedgerEntry older = withBatch(running("d-1", event(4)), 1);

    ledger.record(newer);
    ledger.record(older);

    assertThat(ledger.deployment("d-1").orElseThrow().batch()).isEqualTo(2);
    assertThat(ledger.events("d-1")).extracting(DeploymentEvent::seq).containsExactly(4, 5);
  }

  @Test
  void concurrentProgressRecordsStoreEveryEventAndEndWithTheNewestState() throws Exception {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));

    concurrently(
        8,
        i -> {
          ledger.record(withBatch(running("d-1", event(i + 1)), i + 1));
          return i;
        });

    assertThat(ledger.events("d-1"))
        .extracting(DeploymentEvent::seq)
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(ledger.deployment("d-1").orElseThrow().batch()).isEqualTo(8);
  }

  @Test
  void finalRecordReleasesTheLockAndWritesHistoryOnceEvenWhenRetried() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "2.0", null, null, "1.0"));
    ledger.record(running("d-1", event(1)));
    Instant finished = clock.advance(Duration.ofMinutes(3));
    LedgerEntry last =
        finished("d-1", "checkout", "2.0", DeploymentState.SUCCEEDED, "2.0", event(2));

    ledger.record(last);
    clock.advance(Duration.ofSeconds(30));
    ledger.record(last);

    DeploymentRecord done = ledger.deployment("d-1").orElseThrow();
    assertThat(done.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(done.phase()).isEqualTo(Phase.COMPLETED);
    assertThat(done.currentVersion()).isEqualTo("2.0");
    assertThat(done.finishedAt()).isEqualTo(finished);
    assertThat(ledger.history("checkout"))
        .containsExactly(
            new VersionHistoryEntry(
                "checkout",
                "d-1",
                "2.0",
                "1.0",
                DeploymentState.SUCCEEDED,
                START,
                finished,
                "2.0"));
    assertThat(ledger.lockHolder("checkout")).isEmpty();
    assertThat(ledger.begin(newDeployment("d-2", checkout, "3.0", null, null)))
        .isInstanceOf(Created.class);
  }

  @Test
  void lateProgressDoesNotReopenAFinishedDeployment() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "2.0", null, null));
    ledger.record(finished("d-1", "checkout", "2.0", DeploymentState.ABORTED, "1.0", event(1)));

    ledger.record(running("d-1"));

    assertThat(ledger.deployment("d-1").orElseThrow().state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(ledger.lockHolder("checkout")).isEmpty();
  }

  @Test
  void finalRecordOfAnotherDeploymentLeavesTheLockToItsHolder() {
    ServiceDefinition checkout = service("checkout", "web-1");
    ledger.begin(newDeployment("d-1", checkout, "2.0", null, null));

    // e.g. a workflow started from the Temporal UI, bypassing the API
    ledger.record(finished("stray", "checkout", "9.9", DeploymentState.FAILED, null, event(1)));

    assertThat(ledger.lockHolder("checkout")).contains("d-1");
    assertThat(ledger.deployment("stray").orElseThrow().state()).isEqualTo(DeploymentState.FAILED);
  }

  @Test
  void recordOfADeploymentNotStartedThroughTheLedgerCreatesIt() {
    ledger.record(running("unknown", event(1)));

    DeploymentRecord stored = ledger.deployment("unknown").orElseThrow();
    assertThat(stored.service()).isEqualTo("checkout");
    assertThat(stored.state()).isEqualTo(DeploymentState.RUNNING);
    assertThat(stored.request()).isNull();
    assertThat(ledger.events("unknown")).containsExactly(event(1));
    assertThat(ledger.lockHolder("checkout")).isEmpty();
  }

  @Test
  void aChildsProgressIsRecordedUnderItsParentAsItHappens() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1", "web-2"), "2.0", null, null));
    ledger.record(running("d-1", event(1), event(2)));
    int base = ChildEntry.CHILD_EVENTS;
    DeploymentEvent paused =
        new DeploymentEvent(
            base + 1, START.plusMillis(2500), "promotion.deployment.paused", null, "p");

    ledger.recordChild(
        new ChildEntry(
            "d-1",
            "checkout",
            true,
            List.of(new TargetStatus("web-2", "1.0", "2.0", TargetState.UPGRADED, null)),
            List.of(paused)));

    DeploymentRecord shown = ledger.deployment("d-1").orElseThrow();
    assertThat(shown.state()).isEqualTo(DeploymentState.PAUSED);
    assertThat(shown.phase()).isEqualTo(Phase.PAUSED);
    assertThat(shown.targets())
        .extracting(TargetStatus::id, TargetStatus::version)
        .contains(tuple("web-1", "1.0"), tuple("web-2", "2.0"));
    assertThat(ledger.events("d-1"))
        .as("in the order they happened")
        .extracting(DeploymentEvent::seq)
        .containsExactly(1, 2, base + 1);
    assertThat(ledger.targetVersions("checkout")).containsEntry("web-2", "2.0");

    // The parent's own later progress is not taken for a stale record.
    ledger.record(withBatch(running("d-1", event(3)), 2));
    assertThat(ledger.deployment("d-1").orElseThrow().batch()).isEqualTo(2);

    ledger.record(finished("d-1", "checkout", "2.0", DeploymentState.SUCCEEDED, "2.0", event(4)));
    ledger.recordChild(new ChildEntry("d-1", "checkout", true, List.of(), List.of()));
    assertThat(ledger.deployment("d-1").orElseThrow().state())
        .as("a late child record does not reopen a finished parent")
        .isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void aTargetGroupShowsItsParentsPhaseBatchAndWaitAndItsEventsInOrder() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1", "web-2"), "2.0", null, null));
    ledger.record(withBatch(running("d-1", event(1), event(2)), 1));
    Waiting pause = new Waiting("pause after batch 3/40", START, START.plusSeconds(10));

    ledger.recordChild(
        new ChildEntry(
            "d-1",
            "checkout",
            false,
            List.of(new TargetStatus("web-2", "1.0", "2.0", TargetState.UPGRADED, null)),
            List.of(event(3), event(4)),
            Phase.WAITING,
            3,
            pause));

    DeploymentRecord shown = ledger.deployment("d-1").orElseThrow();
    assertThat(shown.state()).isEqualTo(DeploymentState.RUNNING);
    assertThat(shown.phase()).isEqualTo(Phase.WAITING);
    assertThat(shown.batch()).isEqualTo(3);
    assertThat(shown.waiting()).isEqualTo(pause);
    assertThat(ledger.events("d-1")).extracting(DeploymentEvent::seq).containsExactly(1, 2, 3, 4);

    ledger.recordChild(
        new ChildEntry("d-1", "checkout", true, List.of(), List.of(), Phase.WAITING, 4, null));
    shown = ledger.deployment("d-1").orElseThrow();
    assertThat(shown.phase()).as("paused in the group").isEqualTo(Phase.PAUSED);
    assertThat(shown.batch()).isEqualTo(4);
    assertThat(shown.waiting()).isNull();

    // The parent's own record after the group is not taken for a stale one.
    ledger.record(withBatch(running("d-1", event(5)), 5));
    assertThat(ledger.deployment("d-1").orElseThrow().batch()).isEqualTo(5);
  }
}
