package dev.sluice.activities.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spec problems found without a database, each naming its field. */
class SpecCheckTest {

  static final MigrationOperation RENAME =
      MigrationOperation.renameColumn("users", "phone", "phone_number");

  static String field(MigrationSpec spec) {
    try {
      SpecCheck.check(spec);
      return null;
    } catch (InvalidMigrationException e) {
      return e.field();
    }
  }

  static MigrationSpec with(MigrationOperation op) {
    return new MigrationSpec("m", "app", List.of(op), null, null);
  }

  @Test
  void aGoodSpecPasses() {
    assertThat(field(with(RENAME))).isNull();
  }

  @Test
  void eachProblemNamesItsField() {
    assertThat(field(new MigrationSpec("Bad-Name", "app", List.of(RENAME), null, null)))
        .isEqualTo("name");
    assertThat(field(new MigrationSpec("m", null, List.of(RENAME), null, null)))
        .isEqualTo("datasource");
    assertThat(field(new MigrationSpec("m", "app", List.of(), null, null))).isEqualTo("operations");
    assertThat(
            field(
                with(
                    new MigrationOperation(
                        "rename_table",
                        "users",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))))
        .isEqualTo("operations[0].type");
    assertThat(field(with(MigrationOperation.renameColumn("users", "phone", "phone"))))
        .isEqualTo("operations[0].to");
    assertThat(field(with(MigrationOperation.renameColumn("Users;", "phone", "x"))))
        .isEqualTo("operations[0].table");
    assertThat(field(with(MigrationOperation.addColumn("users", "n", null, null, null))))
        .isEqualTo("operations[0].dataType");
    assertThat(
            field(
                with(MigrationOperation.addColumn("users", "n", "int", "1); DROP TABLE x", null))))
        .as("one expression, not a second statement")
        .isEqualTo("operations[0].up");
    assertThat(field(with(MigrationOperation.addNotNull("users", "phone", null))))
        .isEqualTo("operations[0].up");
    assertThat(field(with(MigrationOperation.createIndex("users", "i", List.of(), false))))
        .isEqualTo("operations[0].columns");
    assertThat(
            field(
                with(
                    MigrationOperation.createTable(
                        "t",
                        List.of(new MigrationOperation.ColumnDef("a", "int", null, null, null))))))
        .isEqualTo("operations[0].tableColumns");
    assertThat(
            field(
                new MigrationSpec(
                    "m",
                    "app",
                    List.of(RENAME),
                    new MigrationSpec.Backfill(1000, Duration.ZERO, Duration.ofMinutes(5), null, 0),
                    null)))
        .isEqualTo("backfill.lockTimeout");
    assertThat(
            field(
                new MigrationSpec(
                    "m", "app", List.of(RENAME), null, new MigrationSpec.Gate(false, null))))
        .isEqualTo("gate");
  }

  static MigrationSpec paced(MigrationSpec.Pace pace) {
    return new MigrationSpec(
        "m",
        "app",
        List.of(RENAME),
        new MigrationSpec.Backfill(1000, Duration.ZERO, Duration.ofMillis(500), null, 0, pace),
        null);
  }

  @Test
  void theDefaultPaceIsAdaptiveAndPasses() {
    MigrationSpec spec = with(RENAME);
    assertThat(spec.backfill().pace()).isEqualTo(MigrationSpec.Pace.ADAPTIVE);
    assertThat(spec.backfill().pace().fixed()).isFalse();
    assertThat(spec.backfill().pace().targetBatchTime()).isEqualTo(Duration.ofMillis(10));
    assertThat(field(spec)).isNull();
    assertThat(field(paced(MigrationSpec.Pace.FIXED))).isNull();
  }

  @Test
  void badPaceSettingsNameTheirField() {
    assertThat(field(paced(new MigrationSpec.Pace(false, Duration.ZERO, null, null, null, null))))
        .isEqualTo("backfill.pace.targetBatchTime");
    assertThat(
            field(
                paced(
                    new MigrationSpec.Pace(false, Duration.ofMinutes(1), null, null, null, null))))
        .isEqualTo("backfill.pace.targetBatchTime");
    assertThat(field(paced(new MigrationSpec.Pace(false, null, 0, null, null, null))))
        .isEqualTo("backfill.pace.minBatchSize");
    assertThat(field(paced(new MigrationSpec.Pace(false, null, 5000, 1000, null, null))))
        .as("max below min")
        .isEqualTo("backfill.pace.maxBatchSize");
    assertThat(field(paced(new MigrationSpec.Pace(false, null, null, 200_000, null, null))))
        .isEqualTo("backfill.pace.maxBatchSize");
    assertThat(field(paced(new MigrationSpec.Pace(false, null, null, null, 1.0, null))))
        .as("1: any slowdown at all would rest")
        .isEqualTo("backfill.pace.maxSlowdown");
    assertThat(field(paced(new MigrationSpec.Pace(false, null, null, null, Double.NaN, null))))
        .isEqualTo("backfill.pace.maxSlowdown");
    assertThat(field(paced(new MigrationSpec.Pace(false, null, null, null, null, "SELECT 1; X"))))
        .isEqualTo("backfill.pace.probeQuery");
    assertThat(field(paced(new MigrationSpec.Pace(false, null, null, null, null, " "))))
        .isEqualTo("backfill.pace.probeQuery");
  }

  @Test
  void theMessageSaysWhy() {
    assertThatThrownBy(
            () -> SpecCheck.check(with(MigrationOperation.addNotNull("users", "x", null))))
        .hasMessage("operations[0].up: is required");
  }

  @Test
  void anUnknownTypeIsAnsweredWithEveryKnownOne() {
    MigrationOperation renameTable =
        new MigrationOperation(
            "rename_table",
            "users",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> SpecCheck.check(with(renameTable)))
        .hasMessage(
            "operations[0].type: must be one of [add_column, add_not_null, change_type,"
                + " create_index, create_table, drop_column, rename_column]");
  }
}
