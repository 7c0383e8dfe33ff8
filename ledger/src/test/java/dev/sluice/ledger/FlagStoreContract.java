package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.ledger.FlagStore.Meta;
import dev.sluice.ledger.FlagStore.Outcome;
import dev.sluice.ledger.FlagStore.Version;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.junit.jupiter.api.Test;

/**
 * The feature flags kept in the ledger's database ({@link FlagStore}): versions, conflicts,
 * revisions.
 */
abstract class FlagStoreContract extends LedgerContract {

  static final String ON =
      "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"on\"}";
  static final String OFF =
      "{\"state\":\"DISABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"on\"}";

  @Test
  void everyFlagChangeIsAVersionWithWhoWhenWhyAndAnAuditRow() {
    var meta = new Meta("release", "team-checkout", null);
    var created = flags.create("new-checkout", ON, meta, "alice", "launch prep");
    clock.advance(Duration.ofMinutes(5));
    var disabled = flags.update("new-checkout", 1, OFF, null, "disable", "bob", "incident 42");
    clock.advance(Duration.ofMinutes(5));
    flags.delete("new-checkout", 2, "carol", "cleanup");
    clock.advance(Duration.ofMinutes(5));
    var restored = flags.restore("new-checkout", 1, "alice", null);

    assertThat(created)
        .isInstanceOfSatisfying(
            Outcome.Changed.class,
            c -> {
              assertThat(c.flag().version()).isEqualTo(1);
              assertThat(c.flag().lifetimeDays()).as("release flags live 40 days").isEqualTo(40);
            });
    assertThat(disabled).isInstanceOf(Outcome.Changed.class);
    assertThat(restored)
        .isInstanceOfSatisfying(
            Outcome.Changed.class,
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
    var meta = new Meta("ops", null, null);
    flags.create("cache", ON, meta, "alice", null);
    flags.update("cache", 1, OFF, null, "disable", "bob", null);
    long revision = flags.revision();

    var stale = flags.update("cache", 1, ON, null, "enable", "carol", null);
    var again = flags.create("cache", ON, meta, "carol", null);
    var missing = flags.update("nope", null, ON, null, "update", "carol", null);

    assertThat(stale)
        .isInstanceOfSatisfying(
            Outcome.Conflict.class, c -> assertThat(c.current().version()).isEqualTo(2));
    assertThat(again).isInstanceOf(Outcome.Exists.class);
    assertThat(missing).isInstanceOf(Outcome.NotFound.class);
    assertThat(flags.get("cache").orElseThrow().definition()).isEqualTo(OFF);
    assertThat(flags.get("cache").orElseThrow().lifetimeDays())
        .as("ops flags: 7 days")
        .isEqualTo(7);
    assertThat(flags.revision()).isEqualTo(revision);
    assertThat(flags.versions("cache")).hasSize(2);
  }

  @Test
  void theRevisionRisesWithEveryChangeAndTheSnapshotHoldsLiveFlagsOnly() {
    var meta = new Meta("kill-switch", null, null);
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

  @Test
  void aCreateThatLosesTheRaceForADeletedKeyAnswersExistsWithTheWinnersFlag() {
    var meta = new Meta("release", null, null);
    flags.create("checkout", ON, meta, "alice", null);
    flags.delete("checkout", 1, "alice", null);
    // Both take the deleted key as version 3; the loser's version row is a unique violation.
    FlagStore loser =
        losingTo(() -> flags.create("checkout", OFF, meta, "bob", "winner"), "UPDATE flags");

    var lost = loser.create("checkout", ON, meta, "carol", "loser");

    assertThat(lost)
        .isInstanceOfSatisfying(
            Outcome.Exists.class,
            e -> {
              assertThat(e.flag().version()).isEqualTo(3);
              assertThat(e.flag().definition()).isEqualTo(OFF);
              assertThat(e.flag().createdBy()).isEqualTo("bob");
            });
    assertThat(flags.get("checkout").orElseThrow().updatedBy()).isEqualTo("bob");
    assertThat(flags.versions("checkout"))
        .extracting(Version::actor)
        .containsExactly("bob", "alice", "alice");
    assertThat(flags.revision()).isEqualTo(3);
    assertThat(ledger.auditTrail("checkout", 10))
        .extracting(AuditEntry::actor)
        .containsExactly("bob", "alice", "alice");
  }

  @Test
  void aChangeThatLosesTheRaceToAnotherIsAConflictNotARetriedSuccess() {
    var meta = new Meta("ops", null, null);
    flags.create("cache", ON, meta, "alice", null);
    FlagStore loser =
        losingTo(() -> flags.update("cache", 1, OFF, null, "disable", "bob", null), "UPDATE flags");

    var lost = loser.update("cache", 1, ON, null, "enable", "carol", null);

    assertThat(lost)
        .isInstanceOfSatisfying(
            Outcome.Conflict.class,
            c -> {
              assertThat(c.current().version()).isEqualTo(2);
              assertThat(c.current().updatedBy()).isEqualTo("bob");
            });
    assertThat(flags.get("cache").orElseThrow().definition()).isEqualTo(OFF);
    assertThat(flags.versions("cache")).extracting(Version::actor).containsExactly("bob", "alice");
    assertThat(flags.revision()).isEqualTo(2);
    assertThat(ledger.auditTrail("cache", 10))
        .extracting(AuditEntry::action)
        .containsExactly("flag.disable", "flag.create");
  }

  /**
   * Flags on the test's database whose first statement starting with {@code sql} is preceded by
   * {@code winner}, run to its commit on a connection of its own: the change it is part of has read
   * the flag and loses the race to write it, every time the same way.
   */
  private FlagStore losingTo(Runnable winner, String sql) {
    Jdbi jdbi = Jdbi.create(dataSource);
    AtomicBoolean raced = new AtomicBoolean();
    jdbi.getConfig(SqlStatements.class)
        .addCustomizer(
            new StatementCustomizer() {
              @Override
              public void beforeExecution(PreparedStatement statement, StatementContext ctx) {
                if (ctx.getRawSql().startsWith(sql) && raced.compareAndSet(false, true)) {
                  winner.run();
                }
              }
            });
    return new FlagStore(jdbi, Ledger.objectMapper(), clock);
  }
}
