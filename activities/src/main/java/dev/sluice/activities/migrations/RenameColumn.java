package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.CatalogChecks.absent;
import static dev.sluice.activities.migrations.CatalogChecks.present;
import static dev.sluice.activities.migrations.SpecCheck.name;
import static dev.sluice.activities.migrations.SyncTriggers.dropSync;
import static dev.sluice.activities.migrations.SyncTriggers.pairTrigger;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.activities.migrations.KeysetBackfill.Fill;
import dev.sluice.activities.migrations.SyncTriggers.Sync;
import dev.sluice.model.MigrationOperation;
import java.sql.SQLException;
import java.util.Map;

/**
 * {@code rename_column}: a new column {@code to} of the old one's type, kept equal to it in both
 * directions (plain assignments in the trigger) until contract drops the old.
 */
final class RenameColumn implements Operation {

  @Override
  public void checkSpec(String at, MigrationOperation op) {
    name(at + ".column", op.column());
    name(at + ".to", op.to());
    if (op.column().equals(op.to())) {
      throw new InvalidMigrationException(at + ".to", "is the column's own name");
    }
  }

  @Override
  public boolean needsBackfill(MigrationOperation op) {
    return true;
  }

  @Override
  public String check(Database db, String at, MigrationOperation op, Map<String, Column> cols) {
    present(at + ".column", cols, op.table(), op.column());
    absent(at + ".to", cols, op.table(), op.to());
    return at
        + ": rename "
        + op.table()
        + "."
        + op.column()
        + " to "
        + op.to()
        + " (both kept in sync until contract)";
  }

  @Override
  public void expand(Database db, int i, MigrationOperation op) throws SQLException {
    String p = db.prefix(i);
    Column old = Catalog.columns(db.c, op.table()).get(op.column());
    db.ddl("ALTER TABLE " + op.table() + " ADD COLUMN IF NOT EXISTS " + op.to() + " " + old.type());
    // Plain assignments: no function call per write (a rename is the common case).
    pairTrigger(
        db,
        p,
        op.table(),
        op.column(),
        op.to(),
        new Sync("NEW." + op.column(), "OLD." + op.column(), "NEW." + op.to()));
  }

  @Override
  public Fill fill(MigrationOperation op, Map<String, Column> cols, String key, String keyType) {
    return new Fill(op.table(), key, keyType, op.to(), op.column());
  }

  @Override
  public boolean copiesExactly() {
    return true;
  }

  @Override
  public String notNullAtContract(MigrationOperation op, boolean oldNotNull) {
    return oldNotNull ? op.to() : null;
  }

  @Override
  public void contract(Database db, int i, MigrationOperation op) throws SQLException {
    Map<String, Column> cols = Catalog.columns(db.c, op.table());
    boolean wasNotNull = cols.containsKey(op.column()) && cols.get(op.column()).notNull();
    dropSync(db, i, op.table());
    if (wasNotNull) {
      db.notNull(i, op.table(), op.to());
    }
    db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column());
  }

  @Override
  public void rollback(Database db, MigrationOperation op) throws SQLException {
    db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.to());
  }
}
