package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.CatalogChecks.expression;
import static dev.sluice.activities.migrations.CatalogChecks.present;
import static dev.sluice.activities.migrations.SpecCheck.name;
import static dev.sluice.activities.migrations.SpecCheck.optionalSql;
import static dev.sluice.activities.migrations.SyncTriggers.dropSync;
import static dev.sluice.activities.migrations.SyncTriggers.fillTrigger;
import static dev.sluice.activities.migrations.SyncTriggers.rowFunction;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.model.MigrationOperation;
import java.sql.SQLException;
import java.util.Map;

/**
 * {@code drop_column}: kept until contract drops it; with {@code down}, the old app's column gets
 * that value when the new app inserts without it.
 */
final class DropColumn implements Operation {

  @Override
  public void checkSpec(String at, MigrationOperation op) {
    name(at + ".column", op.column());
    optionalSql(at + ".down", op.down());
  }

  @Override
  public String check(Database db, String at, MigrationOperation op, Map<String, Column> cols) {
    Column col = present(at + ".column", cols, op.table(), op.column());
    if (op.down() != null) {
      expression(db.c, at + ".down", op.table(), op.down(), col.type());
    }
    return at + ": drop " + op.table() + "." + op.column() + " at contract";
  }

  @Override
  public void expand(Database db, int i, MigrationOperation op) throws SQLException {
    String p = db.prefix(i);
    if (op.down() != null) {
      Column col = Catalog.columns(db.c, op.table()).get(op.column());
      rowFunction(db, p + "_down", op.table(), op.down(), col.type(), null, null);
      fillTrigger(db, p, op.table(), op.column(), p + "_down", true);
    }
  }

  @Override
  public void contract(Database db, int i, MigrationOperation op) throws SQLException {
    dropSync(db, i, op.table());
    db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
  }

  @Override
  public void rollback(Database db, MigrationOperation op) {
    // The column is still there: nothing but its fill trigger was added, gone with the sync.
  }
}
