package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.CatalogChecks.absent;
import static dev.sluice.activities.migrations.CatalogChecks.expression;
import static dev.sluice.activities.migrations.CatalogChecks.type;
import static dev.sluice.activities.migrations.KeysetBackfill.cast;
import static dev.sluice.activities.migrations.SpecCheck.name;
import static dev.sluice.activities.migrations.SpecCheck.optionalSql;
import static dev.sluice.activities.migrations.SpecCheck.required;
import static dev.sluice.activities.migrations.SyncTriggers.dropSync;
import static dev.sluice.activities.migrations.SyncTriggers.pairTrigger;
import static dev.sluice.activities.migrations.SyncTriggers.rowFunction;
import static dev.sluice.activities.migrations.SyncTriggers.viaFunctions;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.activities.migrations.KeysetBackfill.Fill;
import dev.sluice.model.MigrationOperation;
import java.sql.SQLException;
import java.util.Map;

/**
 * {@code add_column}: a new column; with {@code up}, computed from the row's other columns for
 * existing rows (backfilled) and for the old app's writes (a trigger); NOT NULL at contract when
 * {@code nullable} is false.
 */
final class AddColumn implements Operation {

  @Override
  public void checkSpec(String at, MigrationOperation op) {
    name(at + ".column", op.column());
    required(at + ".dataType", op.dataType());
    optionalSql(at + ".up", op.up());
  }

  @Override
  public boolean needsBackfill(MigrationOperation op) {
    return op.up() != null;
  }

  @Override
  public String check(Database db, String at, MigrationOperation op, Map<String, Column> cols) {
    absent(at + ".column", cols, op.table(), op.column());
    type(db.c, at + ".dataType", op.dataType());
    if (op.up() != null) {
      expression(db.c, at + ".up", op.table(), op.up(), op.dataType());
    }
    return at + ": add column " + op.table() + "." + op.column() + " " + op.dataType();
  }

  @Override
  public void expand(Database db, int i, MigrationOperation op) throws SQLException {
    String p = db.prefix(i);
    db.ddl(
        "ALTER TABLE "
            + op.table()
            + " ADD COLUMN IF NOT EXISTS "
            + op.column()
            + " "
            + op.dataType()
            + (op.defaultValue() != null ? " DEFAULT " + op.defaultValue() : ""));
    if (op.up() != null) {
      rowFunction(db, p + "_up", op.table(), op.up(), op.dataType(), null, null);
      pairTrigger(db, p, op.table(), null, op.column(), viaFunctions(p, op.table(), false));
    }
  }

  @Override
  public Fill fill(MigrationOperation op, Map<String, Column> cols, String key, String keyType) {
    return new Fill(op.table(), key, keyType, op.column(), cast(op.up(), op.dataType()));
  }

  @Override
  public String notNullAtContract(MigrationOperation op, boolean oldNotNull) {
    return Boolean.FALSE.equals(op.nullable()) ? op.column() : null;
  }

  @Override
  public void contract(Database db, int i, MigrationOperation op) throws SQLException {
    dropSync(db, i, op.table());
    if (Boolean.FALSE.equals(op.nullable())) {
      db.notNull(i, op.table(), op.column());
    }
  }

  @Override
  public void rollback(Database db, MigrationOperation op) throws SQLException {
    db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
  }
}
