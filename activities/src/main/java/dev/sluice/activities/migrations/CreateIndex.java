package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.CatalogChecks.present;
import static dev.sluice.activities.migrations.Database.schemaOf;
import static dev.sluice.activities.migrations.SpecCheck.name;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.model.MigrationOperation;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * {@code create_index}: built CONCURRENTLY at expand (an invalid one left by a build that died is
 * built again), dropped CONCURRENTLY by a rollback.
 */
final class CreateIndex implements Operation {

  @Override
  public void checkSpec(String at, MigrationOperation op) {
    name(at + ".name", op.name());
    List<String> cols = op.columns();
    if (cols == null || cols.isEmpty()) {
      throw new InvalidMigrationException(at + ".columns", "must list at least one column");
    }
    for (int j = 0; j < cols.size(); j++) {
      name(at + ".columns[" + j + "]", cols.get(j));
    }
  }

  @Override
  public String check(Database db, String at, MigrationOperation op, Map<String, Column> cols)
      throws SQLException {
    for (int j = 0; j < op.columns().size(); j++) {
      present(at + ".columns[" + j + "]", cols, op.table(), op.columns().get(j));
    }
    if (Catalog.indexValid(db.c, schemaOf(op.table()) + op.name()) != null) {
      throw new InvalidMigrationException(at + ".name", "index " + op.name() + " exists");
    }
    return at + ": create index " + op.name() + " concurrently";
  }

  @Override
  public void expand(Database db, int i, MigrationOperation op) throws SQLException {
    String index = schemaOf(op.table()) + op.name();
    if (Boolean.FALSE.equals(Catalog.indexValid(db.c, index))) {
      // A concurrent build that died leaves an invalid index behind: start it again.
      db.ddl("DROP INDEX CONCURRENTLY IF EXISTS " + index);
    }
    db.ddl(
        "CREATE "
            + (Boolean.TRUE.equals(op.unique()) ? "UNIQUE " : "")
            + "INDEX CONCURRENTLY IF NOT EXISTS "
            + op.name()
            + " ON "
            + op.table()
            + " ("
            + String.join(", ", op.columns())
            + ")");
  }

  @Override
  public void contract(Database db, int i, MigrationOperation op) {
    // The index stays: contract has nothing to drop.
  }

  @Override
  public void rollback(Database db, MigrationOperation op) throws SQLException {
    db.ddl("DROP INDEX CONCURRENTLY IF EXISTS " + schemaOf(op.table()) + op.name());
  }
}
