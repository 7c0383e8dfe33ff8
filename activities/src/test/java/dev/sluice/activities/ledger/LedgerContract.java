package dev.sluice.activities.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.activities.ledger.BeginResult.Busy;
import dev.sluice.activities.ledger.BeginResult.Created;
import dev.sluice.activities.ledger.BeginResult.Existing;
import dev.sluice.activities.ledger.BeginResult.KeyReused;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.HealthCheckSpec;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.Phase;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the ledger promises, run against each database it supports: a subclass per database supplies
 * empty databases.
 */
abstract class LedgerContract {

  private static final Instant START = Instant.parse("2025-03-01T10:00:00Z");

  private final MutableClock clock = new MutableClock(START);
  private Ledger ledger;

  /** A new, empty database; the subclass closes it after the test. */
  abstract DataSource emptyDatabase() throws Exception;

  private dev.sluice.activities.flags.FlagStore flags;

  @BeforeEach
  void openMigratedLedger() throws Exception {
    DataSource dataSource = emptyDatabase();
    Ledger.migrate(dataSource);
    Jdbi jdbi = Jdbi.create(dataSource);
    ledger = new Ledger(jdbi, Ledger.objectMapper(), clock);
    flags = new dev.sluice.activities.flags.FlagStore(jdbi, Ledger.objectMapper(), clock);
  }

  // --- feature flags ----------------------------------------------------------------------------

  static final String ON =
      "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"on\"}";
  static final String OFF =
      "{\"state\":\"DISABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"on\"}";

  @Test
  void everyFlagChangeIsAVersionWithWhoWhenWhyAndAnAuditRow() {
    var meta = new dev.sluice.activities.flags.FlagStore.Meta("release", "team-checkout", null);
    var created = flags.create("new-checkout", ON, meta, "alice", "launch prep");
    clock.advance(Duration.ofMinutes(5));
    var disabled = flags.update("new-checkout", 1, OFF, null, "disable", "bob", "incident 42");
    clock.advance(Duration.ofMinutes(5));
    flags.delete("new-checkout", 2, "carol", "cleanup");
    clock.advance(Duration.ofMinutes(5));
    var restored = flags.restore("new-checkout", 1, "alice", null);

    assertThat(created)
        .isInstanceOfSatisfying(
            dev.sluice.activities.flags.FlagStore.Outcome.Changed.class,
            c -> {
              assertThat(c.flag().version()).isEqualTo(1);
              assertThat(c.flag().lifetimeDays()).as("release flags live 40 days").isEqualTo(40);
            });
    assertThat(disabled).isInstanceOf(dev.sluice.activities.flags.FlagStore.Outcome.Changed.class);
    assertThat(restored)
        .isInstanceOfSatisfying(
            dev.sluice.activities.flags.FlagStore.Outcome.Changed.class,
            c -> {
              assertThat(c.flag().version()).isEqualTo(4);
              assertThat(c.flag().definition()).isEqualTo(ON);
              assertThat(c.flag().updatedBy()).isEqualTo("alice");
            });
    assertThat(flags.versions("new-checkout"))
        .extracting(v -> tuple(v.version(), v.action(), v.actor(), v.reason()))
        .containsExactly(
            tuple(4, "restore", "alice", "restored version 1"),
            tuple(3, "delete", "carol", "cleanup"),
            tuple(2, "disable", "bob", "incident 42"),
            tuple(1, "create", "alice", "launch prep"));
    assertThat(flags.versions("new-checkout").get(2).definition()).isEqualTo(OFF);
    assertThat(flags.versions("new-checkout").get(1).definition()).isNull();
    assertThat(flags.versions("new-checkout").get(3).at()).isEqualTo(START);
    assertThat(ledger.auditTrail("new-checkout", 10))
        .extracting(AuditEntry::action)
        .containsExactly("flag.restore", "flag.delete", "flag.disable", "flag.create");
  }

  @Test
  void aChangeBasedOnAnOldVersionConflictsAndChangesNothing() {
    var meta = new dev.sluice.activities.flags.FlagStore.Meta("ops", null, null);
    flags.create("cache", ON, meta, "alice", null);
    flags.update("cache", 1, OFF, null, "disable", "bob", null);
    long revision = flags.revision();

    var stale = flags.update("cache", 1, ON, null, "enable", "carol", null);
    var again = flags.create("cache", ON, meta, "carol", null);
    var missing = flags.update("nope", null, ON, null, "update", "carol", null);

    assertThat(stale)
        .isInstanceOfSatisfying(
            dev.sluice.activities.flags.FlagStore.Outcome.Conflict.class,
            c -> assertThat(c.current().version()).isEqualTo(2));
    assertThat(again).isInstanceOf(dev.sluice.activities.flags.FlagStore.Outcome.Exists.class);
    assertThat(missing).isInstanceOf(dev.sluice.activities.flags.FlagStore.Outcome.NotFound.class);
    assertThat(flags.get("cache").orElseThrow().definition()).isEqualTo(OFF);
    assertThat(flags.get("cache").orElseThrow().lifetimeDays())
        .as("ops flags: 7 days")
        .isEqualTo(7);
    assertThat(flags.revision()).isEqualTo(revision);
    assertThat(flags.versions("cache")).hasSize(2);
  }

  @Test
  void theRevisionRisesWithEveryChangeAndTheSnapshotHoldsLiveFlagsOnly() {
    var meta = new dev.sluice.activities.flags.FlagStore.Meta("kill-switch", null, null);
    assertThat(flags.snapshot().revision()).isZero();
    flags.create("a", ON, meta, "alice", null);
    flags.create("b", ON, meta, "alice", null);
    flags.delete("a", null, "alice", null);

    var snapshot = flags.snapshot();

    assertThat(snapshot.revision()).isEqualTo(3);
    assertThat(snapshot.flags()).extracting(f -> f.key()).containsExactly("b");
    assertThat(snapshot.flags().get(0).lifetimeDays()).as("kill switches never expire").isNull();
    assertThat(flags.list()).extracting(f -> f.key()).containsExactly("b");
    assertThat(flags.get("a")).isEmpty();
  }

  // --- schema -----------------------------------------------------------------------------------

  @Test
  void migrationsApplyOnAnEmptyDatabaseOnce() throws Exception {
    DataSource empty = emptyDatabase();

    assertThat(Ledger.migrate(empty)).as("every migration applied").isEqualTo(5);
    assertThat(Ledger.migrate(empty)).isZero();

    Jdbi jdbi = Jdbi.create(empty);
    for (String table :
        List.of(
            "services",
            "deployments",
            "deployment_events",
            "service_locks",
            "version_history",
            "target_versions",
            "audit",
            "notifications",
            "circuit_resets",
            "flags",
            "flag_versions")) {
      long rows =
          jdbi.withHandle(
              h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
      assertThat(rows).as(table).isZero();
    }
    List<Long> revisions =
        jdbi.withHandle(
            h -> h.createQuery("SELECT revision FROM flag_revision").mapTo(Long.class).list());
    assertThat(revisions).as("one revision counter, at 0").containsExactly(0L);
  }

  // --- services ---------------------------------------------------------------------------------

  @Test
  void serviceDefinitionsRoundTripWithNestedSettingsAndDurations() {
    ServiceDefinition checkout = service("checkout", "web-1", "web-2");

    assertThat(ledger.putService(checkout, "alice")).isTrue();

    assertThat(ledger.service("checkout")).contains(checkout);
    assertThat(ledger.service("checkout").orElseThrow().rolling().batchSize())
        .isEqualTo(IntOrPercent.percent(25));
    assertThat(ledger.service("checkout").orElseThrow().healthCheck().interval())
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(ledger.service("missing")).isEmpty();
  }

  @Test
  void puttingAServiceAgainReplacesItsDefinition() {
    ledger.putService(service("checkout", "web-1"), "alice");
    ledger.putService(service("billing", "b-1"), "alice");
    ServiceDefinition bigger = service("checkout", "web-1", "web-2", "web-3");

    assertThat(ledger.putService(bigger, "bob")).isFalse();

    assertThat(ledger.service("checkout")).contains(bigger);
    assertThat(ledger.services())
        .extracting(ServiceDefinition::name)
        .containsExactly("billing", "checkout");
  }

  // --- begin ------------------------------------------------------------------------------------

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

  // --- record -----------------------------------------------------------------------------------

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
        Ledger.DeploymentWithEvents seen = ledger.deploymentWithEvents("d-1").orElseThrow();
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
  void theLedgerActivityRecordsThroughTheLedger() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));

    new LedgerActivitiesImpl(ledger)
        .record(finished("d-1", "checkout", "2.0", DeploymentState.SUCCEEDED, "2.0", event(1)));

    assertThat(ledger.deployment("d-1").orElseThrow().state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(ledger.currentVersion("checkout")).contains("2.0");
  }

  // --- history ----------------------------------------------------------------------------------

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

    Ledger.CircuitState open = ledger.circuit("checkout");
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
    List<Ledger.Notification> claimed = ledger.claimNotifications(10, 5, Duration.ofMinutes(1));
    assertThat(claimed).hasSize(1);
    assertThat(claimed.get(0).payload()).contains("\"deploymentId\":\"d-1\"");
    assertThat(ledger.claimNotifications(10, 5, Duration.ofMinutes(1)))
        .as("claimed notifications are not handed out twice")
        .isEmpty();
    ledger.notificationFailed(claimed.get(0).id(), "503", Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(11));
    Ledger.Notification again = ledger.claimNotifications(10, 5, Duration.ofMinutes(1)).get(0);
    assertThat(again.attempts()).isEqualTo(1);
    ledger.notificationDelivered(again.id());
    assertThat(ledger.undeliveredNotifications()).isZero();
  }

  @Test
  void aServiceWithoutFinishedDeploymentsHasNoCurrentOrPreviousVersion() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "v1", null, null));

    assertThat(ledger.currentVersion("checkout")).isEmpty();
    assertThat(ledger.previousVersion("checkout")).isEmpty();
    assertThat(ledger.history("checkout")).isEmpty();
  }

  // --- start failures and reconciliation -------------------------------------------------------

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
        new dev.sluice.workflows.activities.LedgerActivities.AbandonCall(
            "d-main", "release rel-1 ended before this deployment: migration failed"));
    DeploymentRecord closed = ledger.deployment("d-main").orElseThrow();
    assertThat(closed.state()).isEqualTo(DeploymentState.ABORTED);
    assertThat(closed.reason()).startsWith("release rel-1 ended");
    assertThat(ledger.lockHolder("checkout")).isEmpty();
    assertThat(ledger.history("checkout")).as("nothing ran, no version changed").hasSize(1);

    // A rollback of 2.0.0 is refused while the service does not run 2.0.0 …
    var call =
        new dev.sluice.workflows.activities.LedgerActivities.BeginCall(back, "2.0.0", "rel-2");
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

  // --- reads ------------------------------------------------------------------------------------

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

  // --- audit ------------------------------------------------------------------------------------

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
  void progressRecordsAreNotAudited() {
    ledger.begin(newDeployment("d-1", service("checkout", "web-1"), "2.0", null, null));
    int before = ledger.auditTrail(null, 100).size();

    ledger.record(running("d-1", event(1)));
    ledger.record(finished("d-1", "checkout", "2.0", DeploymentState.SUCCEEDED, "2.0", event(2)));

    assertThat(ledger.auditTrail(null, 100)).hasSize(before);
  }

  // --- fixtures ---------------------------------------------------------------------------------

  /** Begins a deployment and records it from running to {@code outcome}. */
  private void deployToEnd(
      ServiceDefinition service,
      String id,
      String version,
      String previous,
      DeploymentState outcome,
      String current) {
    assertThat(ledger.begin(newDeployment(id, service, version, null, null, previous)))
        .isInstanceOf(Created.class);
    clock.advance(Duration.ofSeconds(1));
    ledger.record(running(id, event(1)));
    clock.advance(Duration.ofSeconds(1));
    List<TargetStatus> targets = new ArrayList<>();
    for (Target target : service.fleet()) {
      targets.add(new TargetStatus(target.id(), previous, current, TargetState.UPGRADED, null));
    }
    ledger.record(
        new LedgerEntry(
            id,
            service.name(),
            version,
            null,
            outcome,
            Phase.COMPLETED,
            1,
            1,
            null,
            targets,
            List.of(event(2)),
            current));
  }

  private static ServiceDefinition service(String name, String... targetIds) {
    List<Target> fleet = new ArrayList<>();
    for (int i = 0; i < targetIds.length; i++) {
      fleet.add(new Target(targetIds[i], "127.0.0.1", 9000 + i, i % 2 == 0 ? "blue" : "green"));
    }
    Map<String, Object> routerSettings =
        Map.of(
            "socket",
            "/run/haproxy/admin.sock",
            "backend",
            name,
            "weights",
            Map.of("blue", 100, "green", 0),
            "servers",
            List.of("a", "b"),
            "tls",
            Map.of("enabled", true, "caFileEnv", "HAPROXY_CA"),
            "ratio",
            1.5);
    return new ServiceDefinition(
        name,
        fleet,
        new ProviderRef("haproxy", routerSettings),
        new ProviderRef(
            "local-process",
            Map.of("jar", "/opt/app.jar", "env", Map.of("TOKEN_FILE", "/run/secret"))),
        new HealthCheckSpec(
            "http",
            "/health",
            200,
            "status",
            "UP",
            2,
            Duration.ofMillis(1500),
            Duration.ofMinutes(1),
            null),
        "rolling",
        new RollingOptions(
            IntOrPercent.percent(25),
            IntOrPercent.count(1),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            true));
  }

  private static DeploymentRequest request(String id, ServiceDefinition service, String version) {
    return new DeploymentRequest(
        id,
        service,
        version,
        "rolling",
        service.rolling().orElse(RollingOptions.DEFAULT),
        "ci-token",
        false);
  }

  private static NewDeployment newDeployment(
      String id, ServiceDefinition service, String version, String key, String fingerprint) {
    return newDeployment(id, service, version, key, fingerprint, null);
  }

  private static NewDeployment newDeployment(
      String id,
      ServiceDefinition service,
      String version,
      String key,
      String fingerprint,
      String previous) {
    return NewDeployment.of(request(id, service, version), key, fingerprint, previous);
  }

  private static DeploymentEvent event(int seq) {
    return new DeploymentEvent(
        seq,
        START.plusMillis(seq * 1001L),
        "test.event",
        seq % 2 == 0 ? "web-1" : null,
        "event " + seq);
  }

  private static LedgerEntry entry(
      String id,
      String service,
      String version,
      DeploymentState state,
      Phase phase,
      List<TargetStatus> targets,
      String currentVersion,
      DeploymentEvent... events) {
    return new LedgerEntry(
        id,
        service,
        version,
        null,
        state,
        phase,
        1,
        2,
        null,
        targets,
        List.of(events),
        currentVersion);
  }

  private static LedgerEntry running(String id, DeploymentEvent... events) {
    return entry(
        id,
        "checkout",
        "2.0",
        DeploymentState.RUNNING,
        Phase.DEPLOYING,
        List.of(new TargetStatus("web-1", "1.0", "1.0", TargetState.DEPLOYING, null)),
        null,
        events);
  }

  private static LedgerEntry withBatch(LedgerEntry entry, int batch) {
    return new LedgerEntry(
        entry.deploymentId(),
        entry.service(),
        entry.version(),
        entry.previousVersion(),
        entry.state(),
        entry.phase(),
        batch,
        entry.batches(),
        entry.reason(),
        entry.targets(),
        entry.events(),
        entry.currentVersion());
  }

  private static LedgerEntry finished(
      String id,
      String service,
      String version,
      DeploymentState state,
      String current,
      DeploymentEvent... events) {
    return new LedgerEntry(
        id,
        service,
        version,
        null,
        state,
        Phase.COMPLETED,
        1,
        1,
        state == DeploymentState.SUCCEEDED ? null : "stopped",
        List.of(new TargetStatus("web-1", "1.0", current, TargetState.UPGRADED, null)),
        List.of(events),
        current);
  }

  /** Runs {@code call} on {@code threads} threads released together; returns their results. */
  private static <T> List<T> concurrently(int threads, java.util.function.IntFunction<T> call)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures =
          IntStream.range(0, threads)
              .mapToObj(
                  i ->
                      pool.submit(
                          () -> {
                            start.await(10, TimeUnit.SECONDS);
                            return call.apply(i);
                          }))
              .toList();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> List<T> ofType(List<?> values, Class<T> type) {
    return values.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
