package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.CatalogChecks.expression;
import static dev.sluice.activities.migrations.CatalogChecks.present;
import static dev.sluice.activities.migrations.KeysetBackfill.cast;
import static dev.sluice.activities.migrations.SpecCheck.name;
import static dev.sluice.activities.migrations.SpecCheck.required;
import static dev.sluice.activities.migrations.SyncTriggers.dropSync;
import static dev.sluice.activities.migrations.SyncTriggers.fillTrigger;
import static dev.sluice.activities.migrations.SyncTriggers.rowFunction;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.activities.migrations.KeysetBackfill.Fill;
import dev.sluice.model.MigrationOperation;
import java.sql.SQLException;
import java.util.Map;

/**
 * {@code add_not_null}: rows and writes that leave the column NULL get {@code up} (backfilled, and
 * a trigger until contract), then contract makes it NOT NULL.
 */
final class AddNotNull implements Operation {

  @Override
  public void checkSpec(String at, MigrationOperation op) {
    name(at + ".column", op.column());
    required(at + ".up", op.up());
  }

  @Override
  public boolean needsBackfill(MigrationOperation op) {
    return true;
  }

  @Override
  public String check(Database db, String at, MigrationOperation op, Map<String, Column> cols) {
    Column col = present(at + ".column", cols, op.table(), op.column());
    expression(db.c, at + ".up", op.table(), op.up(), col.type());
    return at + ": NOT NULL on " + op.table() + "." + op.column();
  }

  @Override
  public void expand(Database db, int i, MigrationOperation op) throws SQLException {
    String p = db.prefix(i);
    Column col = Catalog.columns(db.c, op.table()).get(op.column());
    rowFunction(db, p + "_up", op.table(), op.up(), col.type(), null, null);
    fillTrigger(db, p, op.table(), op.column(), p + "_up", false);
  }

  @Override
  public Fill fill(MigrationOperation op, Map<String, Column> cols, String key, String keyType) {
    return new Fill(
        op.table(), key, keyType, op.column(), cast(op.up(), cols.get(op.column()).type()));
  }

  @Override
  public String notNullAtContract(MigrationOperation op, boolean oldNotNull) {
    return op.column();
  }

  @Override
  public void contract(Database db, int i, MigrationOperation op) throws SQLException {
    dropSync(db, i, op.table());
    db.notNull(i, op.table(), op.column());
  }

  @Override
  public void rollback(Database db, MigrationOperation op) {
    // The column was there before and stays; its fill trigger is gone with the sync.
  }
}
