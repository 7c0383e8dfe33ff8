package dev.sluice.activities.migrations;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.activities.migrations.KeysetBackfill.Fill;
import dev.sluice.model.MigrationOperation;
import java.sql.SQLException;
import java.util.Map;

/**
 * What one {@link OperationType} does in each phase of expand-contract. {@link Migrator} walks a
 * spec's operations and calls these; each type is one class, with no state of its own. Every
 * database step is safe to repeat: a retried activity finds its own work done and carries on.
 */
interface Operation {

  /**
   * Spec problems found without a database, naming the field below {@code at} ({@code
   * operations[1]}); {@link SpecCheck} has checked the type and the table name.
   */
  void checkSpec(String at, MigrationOperation op);

  /** Whether {@code op} sets a value in existing rows: a backfill, paged by primary key. */
  default boolean needsBackfill(MigrationOperation op) {
    return false;
  }

  /** Whether {@code op} creates its table, so it is checked before the table exists. */
  default boolean createsTable() {
    return false;
  }

  /**
   * Checks {@code op} against the live catalog — its table's columns {@code cols}, null only when
   * the table is absent and {@link #createsTable()} — and answers its line of the plan's summary.
   * The one-column primary key a backfill needs is checked by the caller.
   */
  String check(Database db, String at, MigrationOperation op, Map<String, Column> cols)
      throws SQLException;

  /** Additive DDL only: new nullable columns, tables, indexes built concurrently, sync triggers. */
  void expand(Database db, int i, MigrationOperation op) throws SQLException;

  /**
   * What the backfill of {@code op} sets, given its table's columns and one-column primary key. The
   * value is the expression itself, not the {@code _up} function: PostgreSQL plans it once per
   * statement instead of calling a function per row.
   */
  default Fill fill(MigrationOperation op, Map<String, Column> cols, String key, String keyType) {
    throw new IllegalArgumentException(op.type() + " has no backfill");
  }

  /**
   * Whether the backfilled column must equal its source exactly, so verify's checksums compare them
   * (an added column's {@code up} is only its value until the new app writes its own).
   */
  default boolean copiesExactly() {
    return false;
  }

  /**
   * The column contract will make NOT NULL, given whether {@code op}'s column is NOT NULL now
   * (null: none).
   */
  default String notNullAtContract(MigrationOperation op, boolean oldNotNull) {
    return null;
  }

  /** The irreversible part: drops old columns and the sync trigger, adds NOT NULL. */
  void contract(Database db, int i, MigrationOperation op) throws SQLException;

  /**
   * Removes what expand added, once the caller has dropped the sync trigger and functions; the old
   * schema is left as it was.
   */
  void rollback(Database db, MigrationOperation op) throws SQLException;
}
