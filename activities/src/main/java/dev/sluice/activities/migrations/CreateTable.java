package dev.sluice.activities.migrations;

import static dev.sluice.activities.migrations.SpecCheck.name;
import static dev.sluice.activities.migrations.SpecCheck.required;

import dev.sluice.activities.migrations.Catalog.Column;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationOperation.ColumnDef;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@code create_table}: a new table at expand, with a primary key (later operations of the spec may
 * use it), dropped by a rollback.
 */
final class CreateTable implements Operation {

  @Override
  public void checkSpec(String at, MigrationOperation op) {
    List<ColumnDef> cols = op.tableColumns();
    if (cols == null || cols.isEmpty()) {
      throw new InvalidMigrationException(at + ".tableColumns", "must list the table's columns");
    }
    int keys = 0;
    for (int j = 0; j < cols.size(); j++) {
      ColumnDef c = cols.get(j);
      name(at + ".tableColumns[" + j + "].name", c == null ? null : c.name());
      required(at + ".tableColumns[" + j + "].type", c.type());
      keys += Boolean.TRUE.equals(c.primaryKey()) ? 1 : 0;
    }
    if (keys == 0) {
      throw new InvalidMigrationException(
          at + ".tableColumns", "needs a primaryKey column (backfills page by it)");
    }
  }

  @Override
  public boolean createsTable() {
    return true;
  }

  @Override
  public String check(Database db, String at, MigrationOperation op, Map<String, Column> cols) {
    if (cols != null) {
      throw new InvalidMigrationException(at + ".table", op.table() + " already exists");
    }
    return at + ": create table " + op.table();
  }

  @Override
  public void expand(Database db, int i, MigrationOperation op) throws SQLException {
    StringJoiner cols = new StringJoiner(", ");
    List<String> key = new ArrayList<>();
    for (ColumnDef col : op.tableColumns()) {
      cols.add(
          col.name()
              + " "
              + col.type()
              + (Boolean.FALSE.equals(col.nullable()) ? " NOT NULL" : "")
              + (col.defaultValue() != null ? " DEFAULT " + col.defaultValue() : ""));
      if (Boolean.TRUE.equals(col.primaryKey())) {
        key.add(col.name());
      }
    }
    cols.add("PRIMARY KEY (" + String.join(", ", key) + ")");
    db.ddl("CREATE TABLE IF NOT EXISTS " + op.table() + " (" + cols + ")");
  }

  @Override
  public void contract(Database db, int i, MigrationOperation op) {
    // The table stays: contract has nothing to drop.
  }

  @Override
  public void rollback(Database db, MigrationOperation op) throws SQLException {
    db.ddl("DROP TABLE IF EXISTS " + op.table());
  }
}
