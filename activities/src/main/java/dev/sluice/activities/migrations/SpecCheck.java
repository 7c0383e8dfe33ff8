package dev.sluice.activities.migrations;

import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * What can be said of a spec without a database: names, required fields, known types. The first
 * problem is thrown, naming its field ({@code operations[1].column}). The fields each type requires
 * are checked by its {@link Operation#checkSpec}, with the helpers here.
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
    pace(b.pace());
    MigrationSpec.Gate gate = spec.gate();
    if (!gate.promote() && gate.after() == null) {
      throw new InvalidMigrationException(
          "gate", "needs promote: true or an after duration: contract must wait for something");
    }
    if (gate.after() != null && (gate.after().isNegative() || gate.after().isZero())) {
      throw new InvalidMigrationException("gate.after", "must be a positive duration");
    }
  }

  private static void pace(MigrationSpec.Pace p) {
    if (p.targetBatchTime().compareTo(Duration.ofMillis(1)) < 0
        || p.targetBatchTime().compareTo(Duration.ofSeconds(10)) > 0) {
      throw new InvalidMigrationException("backfill.pace.targetBatchTime", "must be 1 ms to 10 s");
    }
    if (p.minBatchSize() < 1 || p.minBatchSize() > 100_000) {
      throw new InvalidMigrationException("backfill.pace.minBatchSize", "must be 1 to 100000");
    }
    if (p.maxBatchSize() < p.minBatchSize() || p.maxBatchSize() > 100_000) {
      throw new InvalidMigrationException(
          "backfill.pace.maxBatchSize", "must be minBatchSize to 100000");
    }
    if (!(p.maxSlowdown() > 1 && p.maxSlowdown() <= 100)) {
      throw new InvalidMigrationException(
          "backfill.pace.maxSlowdown",
          "must be more than 1 and at most 100 (how many times its baseline the probe's p99 may"
              + " get)");
    }
    optionalSql("backfill.pace.probeQuery", p.probeQuery());
  }

  private static void operation(String at, MigrationOperation op) {
    if (op == null) {
      throw new InvalidMigrationException(at, "is empty");
    }
    OperationType type =
        OperationType.from(op.type())
            .orElseThrow(
                () ->
                    new InvalidMigrationException(
                        at + ".type", "must be one of " + new TreeSet<>(TYPES)));
    table(at, op.table());
    type.operation().checkSpec(at, op);
  }

  private static void table(String at, String table) {
    if (!Sql.isTable(table)) {
      throw new InvalidMigrationException(
          at + ".table", "must be a lower-case table name, optionally schema-qualified");
    }
  }

  static void name(String at, String name) {
    if (!Sql.isName(name)) {
      throw new InvalidMigrationException(at, "must be a lower-case SQL name (letters, digits, _)");
    }
  }

  static void required(String at, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidMigrationException(at, "is required");
    }
    optionalSql(at, value);
  }

  /** Expressions and types go into DDL: one statement's worth, no statement separators. */
  static void optionalSql(String at, String value) {
    if (value != null && (value.isBlank() || value.contains(";") || value.contains("$"))) {
      throw new InvalidMigrationException(
          at, "must be one SQL expression (no ';' or '$', which would end the statement)");
    }
  }
}
