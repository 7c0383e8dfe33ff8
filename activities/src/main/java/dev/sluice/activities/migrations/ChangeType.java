package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.CatalogChecks.expression;
import static dev.sluice.activities.migrations.CatalogChecks.present;
import static dev.sluice.activities.migrations.CatalogChecks.type;
import static dev.sluice.activities.migrations.Database.schemaOf;
import static dev.sluice.activities.migrations.KeysetBackfill.cast;
import static dev.sluice.activities.migrations.SpecCheck.name;
import static dev.sluice.activities.migrations.SpecCheck.optionalSql;
import static dev.sluice.activities.migrations.SpecCheck.required;
import static dev.sluice.activities.migrations.SyncTriggers.dropSync;
import static dev.sluice.activities.migrations.SyncTriggers.pairTrigger;
import static dev.sluice.activities.migrations.SyncTriggers.rowFunction;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.activities.migrations.KeysetBackfill.Fill;
import dev.sluice.activities.migrations.SyncTriggers.Sync;
import dev.sluice.model.MigrationOperation;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * {@code change_type}: a shadow column of the new type, kept equal to {@code up} of the old one (a
 * cast by default) and the old one to {@code down} of it (a cast back by default); at contract the
 * shadow takes the old column's name.
 */
final class ChangeType implements Operation {

  static String shadow(MigrationOperation op) {
    return "_sluice_new_" + op.column();
  }

  private static String up(MigrationOperation op, Column old) {
    return op.up() != null ? op.up() : "CAST(" + op.column() + " AS " + op.dataType() + ")";
  }

  @Override
  public void checkSpec(String at, MigrationOperation op) {
    name(at + ".column", op.column());
    required(at + ".dataType", op.dataType());
    optionalSql(at + ".up", op.up());
    optionalSql(at + ".down", op.down());
  }

  @Override
  public boolean needsBackfill(MigrationOperation op) {
    return true;
  }

  @Override
  public String check(Database db, String at, MigrationOperation op, Map<String, Column> cols) {
    Column col = present(at + ".column", cols, op.table(), op.column());
    type(db.c, at + ".dataType", op.dataType());
    expression(db.c, at + ".up", op.table(), up(op, col), op.dataType());
    return at
        + ": change "
        + op.table()
        + "."
        + op.column()
        + " from "
        + col.type()
        + " to "
        + op.dataType();
  }

  @Override
  public void expand(Database db, int i, MigrationOperation op) throws SQLException {
    String p = db.prefix(i);
    Column old = Catalog.columns(db.c, op.table()).get(op.column());
    String shadow = shadow(op);
    db.ddl(
        "ALTER TABLE " + op.table() + " ADD COLUMN IF NOT EXISTS " + shadow + " " + op.dataType());
    String s = schemaOf(op.table());
    String upNew = "CAST(NEW." + op.column() + " AS " + op.dataType() + ")";
    String upOld = "CAST(OLD." + op.column() + " AS " + op.dataType() + ")";
    if (op.up() != null) {
      rowFunction(db, p + "_up", op.table(), op.up(), op.dataType(), null, null);
      upNew = s + p + "_up(NEW)";
      upOld = s + p + "_up(OLD)";
    }
    String down = "CAST(NEW." + shadow + " AS " + old.type() + ")";
    if (op.down() != null) {
      // In down, the column's name means its new value (the shadow's).
      rowFunction(db, p + "_down", op.table(), op.down(), old.type(), op.column(), shadow);
      down = s + p + "_down(NEW)";
    }
    pairTrigger(db, p, op.table(), op.column(), shadow, new Sync(upNew, upOld, down));
  }

  @Override
  public Fill fill(MigrationOperation op, Map<String, Column> cols, String key, String keyType) {
    String up = op.up() != null ? op.up() : op.column();
    return new Fill(op.table(), key, keyType, shadow(op), cast(up, op.dataType()));
  }

  @Override
  public boolean copiesExactly() {
    return true;
  }

  @Override
  public String notNullAtContract(MigrationOperation op, boolean oldNotNull) {
    return oldNotNull ? shadow(op) : null;
  }

  @Override
  public void contract(Database db, int i, MigrationOperation op) throws SQLException {
    Map<String, Column> cols = Catalog.columns(db.c, op.table());
    String shadow = shadow(op);
    dropSync(db, i, op.table());
    if (cols.containsKey(shadow)) {
      boolean wasNotNull = cols.containsKey(op.column()) && cols.get(op.column()).notNull();
      if (wasNotNull) {
        db.notNull(i, op.table(), shadow);
      }
      db.inTransaction(
          List.of(
              "ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + op.column(),
              "ALTER TABLE " + op.table() + " RENAME COLUMN " + shadow + " TO " + op.column()));
    }
  }

  @Override
  public void rollback(Database db, MigrationOperation op) throws SQLException {
    db.ddl("ALTER TABLE " + op.table() + " DROP COLUMN IF EXISTS " + shadow(op));
  }
}
