package dev.sluice.activities.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.activities.migrations.KeysetBackfill.Fill;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each operation type decides without a database: what to backfill, and how, and NOT NULL. */
class OperationTest {

  static final Map<String, Column> USERS =
      Map.of(
          "id", new Column("id", "bigint", true),
          "phone", new Column("phone", "text", true),
          "age", new Column("age", "text", false),
          "country", new Column("country", "text", false));

  static Operation of(MigrationOperation op) {
    return OperationType.from(op.type()).orElseThrow().operation();
  }

  static Fill fill(MigrationOperation op) {
    return of(op).fill(op, USERS, "id", "bigint");
  }

  @Test
  void theOperationsBackfilledAreThoseThatSetValuesInExistingRows() {
    MigrationSpec spec =
        new MigrationSpec(
            "m",
            "app",
            List.of(
                MigrationOperation.renameColumn("users", "phone", "phone_number"),
                MigrationOperation.changeType("users", "age", "integer", null, null),
                MigrationOperation.addNotNull("users", "country", "'unknown'"),
                MigrationOperation.addColumn("users", "display", "text", "phone", null),
                MigrationOperation.addColumn("users", "note", "text", null, null),
                MigrationOperation.createIndex("users", "users_phone_idx", List.of("phone"), false),
                MigrationOperation.createTable(
                    "audit_log",
                    List.of(
                        new MigrationOperation.ColumnDef("id", "bigserial", false, null, true))),
                MigrationOperation.dropColumn("users", "age", null)),
            null,
            null);
    assertThat(Migrator.backfills(spec)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void eachBackfillSetsItsNewColumnFromTheOldOnesAsOneExpression() {
    assertThat(fill(MigrationOperation.renameColumn("users", "phone", "phone_number")))
        .isEqualTo(new Fill("users", "id", "bigint", "phone_number", "phone"));
    assertThat(fill(MigrationOperation.changeType("users", "age", "integer", null, null)))
        .as("the shadow column, from a cast of the old one")
        .isEqualTo(new Fill("users", "id", "bigint", "_sluice_new_age", "CAST((age) AS integer)"));
    assertThat(
            fill(MigrationOperation.changeType("users", "age", "integer", "age::int * 12", null)))
        .isEqualTo(
            new Fill(
                "users", "id", "bigint", "_sluice_new_age", "CAST((age::int * 12) AS integer)"));
    assertThat(fill(MigrationOperation.addNotNull("users", "country", "'unknown'")))
        .as("up cast to the column's own type")
        .isEqualTo(new Fill("users", "id", "bigint", "country", "CAST(('unknown') AS text)"));
    assertThat(fill(MigrationOperation.addColumn("users", "digits", "text", "phone", null)))
        .isEqualTo(new Fill("users", "id", "bigint", "digits", "CAST((phone) AS text)"));
    assertThatThrownBy(
            () -> fill(MigrationOperation.createIndex("users", "i", List.of("phone"), false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("create_index has no backfill");
  }

  @Test
  void contractMakesNotNullWhatWasNotNullOrWasAskedToBe() {
    MigrationOperation rename = MigrationOperation.renameColumn("users", "phone", "phone_number");
    MigrationOperation retype =
        MigrationOperation.changeType("users", "age", "integer", null, null);
    assertThat(of(rename).notNullAtContract(rename, true)).isEqualTo("phone_number");
    assertThat(of(rename).notNullAtContract(rename, false)).isNull();
    assertThat(of(retype).notNullAtContract(retype, true)).isEqualTo("_sluice_new_age");
    assertThat(of(retype).notNullAtContract(retype, false)).isNull();
    MigrationOperation notNull = MigrationOperation.addNotNull("users", "country", "'unknown'");
    assertThat(of(notNull).notNullAtContract(notNull, false)).isEqualTo("country");
    MigrationOperation required = MigrationOperation.addColumn("users", "n", "int", "1", false);
    MigrationOperation optional = MigrationOperation.addColumn("users", "n", "int", "1", null);
    assertThat(of(required).notNullAtContract(required, false)).isEqualTo("n");
    assertThat(of(optional).notNullAtContract(optional, false)).isNull();
    MigrationOperation drop = MigrationOperation.dropColumn("users", "phone", null);
    assertThat(of(drop).notNullAtContract(drop, true)).isNull();
  }
}
