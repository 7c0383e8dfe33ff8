package dev.sluice.api.migrations;

import dev.sluice.activities.Settings;
import dev.sluice.activities.migrations.Datasources;
import dev.sluice.activities.migrations.InvalidMigrationException;
import dev.sluice.activities.migrations.SpecCheck;
import dev.sluice.api.errors.ApiException;
import dev.sluice.model.MigrationSpec;
import java.time.Duration;

/** Reads a migration spec from its wire form, for a migration of its own or a release's. */
public final class MigrationSpecs {

  private MigrationSpecs() {}

  /**
   * The spec in {@code body}, checked: 400 naming the field for a bad one or a datasource not
   * configured in {@code datasources}.
   */
  public static MigrationSpec parse(MigrationBody body, Datasources datasources) {
    if (body == null) {
      throw ApiException.badRequest("body", "a migration spec is required");
    }
    MigrationSpec.Backfill backfill = null;
    if (body.backfill() != null) {
      BackfillBody b = body.backfill();
      backfill =
          new MigrationSpec.Backfill(
              b.batchSize() == null ? 0 : b.batchSize(),
              duration("backfill.delay", b.delay()),
              duration("backfill.lockTimeout", b.lockTimeout()),
              b.throttleQuery(),
              b.throttleAbove() == null ? 0 : b.throttleAbove(),
              pace(b.pace()));
      if (b.batchSize() != null && b.batchSize() <= 0) {
        throw ApiException.badRequest("backfill.batchSize", "must be 1 to 100000");
      }
      if (b.throttleQuery() != null && b.throttleAbove() == null) {
        throw ApiException.badRequest(
            "backfill.throttleAbove", "is required with throttleQuery: the load to wait below");
      }
    }
    MigrationSpec.Gate gate = null;
    if (body.gate() != null) {
      gate =
          new MigrationSpec.Gate(
              body.gate().promote() == null ? body.gate().after() == null : body.gate().promote(),
              duration("gate.after", body.gate().after()));
    }
    MigrationSpec.Verify verify =
        body.verify() == null
            ? null
            : new MigrationSpec.Verify(Boolean.TRUE.equals(body.verify().checksums()));
    MigrationSpec spec =
        new MigrationSpec(
            body.name(), body.datasource(), body.operations(), backfill, gate, verify);
    try {
      SpecCheck.check(spec);
    } catch (InvalidMigrationException e) {
      throw ApiException.badRequest(e.field(), e.reason());
    }
    if (!datasources.has(spec.datasource())) {
      throw ApiException.badRequest(
          "datasource",
          "no datasource '"
              + spec.datasource()
              + "' in migrations.datasources (have "
              + datasources.names()
              + ")");
    }
    return spec;
  }

  private static MigrationSpec.Pace pace(PaceBody p) {
    if (p == null) {
      return null;
    }
    return new MigrationSpec.Pace(
        Boolean.FALSE.equals(p.adaptive()),
        duration("backfill.pace.targetBatchTime", p.targetBatchTime()),
        p.minBatchSize(),
        p.maxBatchSize(),
        p.maxSlowdown(),
        p.probeQuery());
  }

  private static Duration duration(String field, String text) {
    if (text == null) {
      return null;
    }
    try {
      return Settings.parseDuration(text);
    } catch (RuntimeException e) {
      throw ApiException.badRequest(field, "must be a duration like \"500ms\", \"30m\", \"1d\"");
    }
  }
}
