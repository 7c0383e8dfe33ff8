package dev.sluice.activities.migrations;

import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationOperation.ColumnDef;
import dev.sluice.model.MigrationSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What can be said of a spec without a database: names, required fields, known types. The first
 * problem is thrown, naming its field ({@code operations[1].column}).
 */
public final class SpecCheck {

  /** The strings of every {@link OperationType}. */
  public static final Set<String> TYPES = OperationType.wires();

  private SpecCheck() {}

  public static void check(MigrationSpec spec) {
    if (spec == null) {
      throw new InvalidMigrationException("spec", "is required");
    }
    if (!Sql.isName(spec.name()) || spec.name().length() > 40) {
      throw new InvalidMigrationException(
          "name", "must be lower case letters, digits and _ (at most 40), e.g. users_phone_rename");
    }
    if (spec.datasource() == null || !spec.datasource().matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new InvalidMigrationException(
          "datasource", "must name a datasource of the worker's migrations.datasources");
    }
    if (spec.operations().isEmpty()) {
      throw new InvalidMigrationException("operations", "must list at least one operation");
    }
    for (int i = 0; i < spec.operations().size(); i++) {
      operation("operations[" + i + "]", spec.operations().get(i));
    }
    MigrationSpec.Backfill b = spec.backfill();
    if (b.batchSize() > 100_000) {
      throw new InvalidMigrationException("backfill.batchSize", "must be 1 to 100000");
    }
    if (b.delay().isNegative() || b.delay().compareTo(Duration.ofMinutes(10)) > 0) {
      throw new InvalidMigrationException("backfill.delay", "must be 0 to 10 minutes");
    }
    if (b.lockTimeout().isNegative()
        || b.lockTimeout().isZero()
        || b.lockTimeout().compareTo(Duration.ofMinutes(1)) > 0) {
      throw new InvalidMigrationException(
          "backfill.lockTimeout", "must be more than 0 and at most 1 minute");
    }
    if (b.throttleQuery() != null && b.throttleQuery().isBlank()) {
      throw new InvalidMigrationException("backfill.throttleQuery", "must not be blank");
    }
    MigrationSpec.Gate gate = spec.gate();
    if (!gate.promote() && gate.after() == null) {
      throw new InvalidMigrationException(
          "gate", "needs promote: true or an after duration: contract must wait for something");
    }
    if (gate.after() != null && (gate.after().isNegative() || gate.after().isZero())) {
      throw new InvalidMigrationException("gate.after", "must be a positive duration");
    }
  }

  private static void operation(String at, MigrationOperation op) {
    if (op == null) {
      throw new InvalidMigrationException(at, "is empty");
    }
    if (OperationType.from(op.type()).isEmpty()) {
      throw new InvalidMigrationException(
          at + ".type", "must be one of " + new java.util.TreeSet<>(TYPES));
    }
    table(at, op.table());
    switch (op.type()) {
      case "add_column" -> {
        name(at + ".column", op.column());
        required(at + ".dataType", op.dataType());
        optionalSql(at + ".up", op.up());
      }
      case "rename_column" -> {
        name(at + ".column", op.column());
        name(at + ".to", op.to());
        if (op.column().equals(op.to())) {
          throw new InvalidMigrationException(at + ".to", "is the column's own name");
        }
      }
      case "change_type" -> {
        name(at + ".column", op.column());
        required(at + ".dataType", op.dataType());
        optionalSql(at + ".up", op.up());
        optionalSql(at + ".down", op.down());
      }
      case "add_not_null" -> {
        name(at + ".column", op.column());
        required(at + ".up", op.up());
      }
      case "create_index" -> {
        name(at + ".name", op.name());
        List<String> cols = op.columns();
        if (cols == null || cols.isEmpty()) {
          throw new InvalidMigrationException(at + ".columns", "must list at least one column");
        }
        for (int j = 0; j < cols.size(); j++) {
          name(at + ".columns[" + j + "]", cols.get(j));
        }
      }
      case "create_table" -> {
        List<ColumnDef> cols = op.tableColumns();
        if (cols == null || cols.isEmpty()) {
          throw new InvalidMigrationException(
              at + ".tableColumns", "must list the table's columns");
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
      case "drop_column" -> {
        name(at + ".column", op.column());
        optionalSql(at + ".down", op.down());
      }
      default -> throw new IllegalStateException(op.type());
    }
  }

  private static void table(String at, String table) {
    if (!Sql.isTable(table)) {
      throw new InvalidMigrationException(
          at + ".table", "must be a lower-case table name, optionally schema-qualified");
    }
  }

  private static void name(String at, String name) {
    if (!Sql.isName(name)) {
      throw new InvalidMigrationException(at, "must be a lower-case SQL name (letters, digits, _)");
    }
  }

  private static void required(String at, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidMigrationException(at, "is required");
    }
    optionalSql(at, value);
  }

  /** Expressions and types go into DDL: one statement's worth, no statement separators. */
  private static void optionalSql(String at, String value) {
    if (value != null && (value.isBlank() || value.contains(";") || value.contains("$"))) {
      throw new InvalidMigrationException(
          at, "must be one SQL expression (no ';' or '$', which would end the statement)");
    }
  }
}
