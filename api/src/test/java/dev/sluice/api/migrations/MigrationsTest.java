package dev.sluice.api.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.errors.ApiException;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Phase;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which controls {@link Migrations} refuses where a migration stands, before any signal. */
class MigrationsTest {

  static Status at(Phase phase) {
    return new Status("add-email", "orders", phase, 0, null, List.of());
  }

  static ApiException refused(String action, Phase phase) {
    try {
      Migrations.refuse(action, "orders", at(phase));
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError(action + " was not refused at " + phase);
  }

  @Test
  void aCompletedMigrationTakesNoControlAndSaysItCannotBeRolledBack() {
    ApiException e = refused("abort", Phase.COMPLETED);

    assertThat(e.status()).isEqualTo(409);
    assertThat(e.body().error()).isEqualTo("migration_ended");
    assertThat(e.body().message())
        .startsWith("abort: the migration add-email has ended (COMPLETED)")
        .contains("write a new migration");
    assertThat(refused("promote", Phase.ROLLED_BACK).body().message())
        .isEqualTo("promote: the migration add-email has ended (ROLLED_BACK)");
  }

  @Test
  void abortIsRefusedOnceContractHasBegun() {
    ApiException e = refused("abort", Phase.CONTRACTING);

    assertThat(e.body().error()).isEqualTo("rollback_refused");
    assertThat(e.body().details()).containsEntry("phase", "CONTRACTING");
  }

  @Test
  void promoteIsRefusedAnywhereButAtTheGate() {
    assertThat(refused("promote", Phase.BACKFILLING).body().message())
        .isEqualTo("promote: the migration is BACKFILLING, not waiting at the gate");
    assertThatCode(() -> Migrations.refuse("promote", "orders", at(Phase.WAITING)))
        .doesNotThrowAnyException();
  }

  @Test
  void abortIsTakenWhileTheOldSchemaStands() {
    for (Phase phase : List.of(Phase.CHECKING, Phase.BACKFILLING, Phase.WAITING)) {
      assertThatCode(() -> Migrations.refuse("abort", "orders", at(phase)))
          .doesNotThrowAnyException();
    }
    assertThatThrownBy(() -> Migrations.refuse("abort", "orders", at(Phase.FAILED)))
        .isInstanceOf(ApiException.class);
  }
}
