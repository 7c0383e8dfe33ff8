package dev.sluice.activities.migrations;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.MigrationSpec;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.MigrationActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Migration activities on a named datasource. Spec and catalog problems become non-retryable
 * failures ({@code InvalidMigration}, {@code UnsupportedByDatabase}, {@code ConfigurationError});
 * SQL errors are retried by the workflow's policy (every step is safe to repeat).
 */
public final class MigrationActivitiesImpl implements MigrationActivities {

  private final Datasources datasources;

  public MigrationActivitiesImpl(Datasources datasources) {
    this.datasources = datasources;
  }

  private interface Work<T> {
    T run(Migrator migrator) throws SQLException, InterruptedException;
  }

  private <T> T with(MigrationSpec spec, Migrator.Progress progress, Work<T> work) {
    try (Connection c = datasources.open(spec.datasource())) {
      return work.run(new Migrator(c, spec, progress));
    } catch (InvalidMigrationException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), FailureTypes.INVALID_MIGRATION);
    } catch (UnsupportedByDatabaseException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), FailureTypes.UNSUPPORTED_BY_DATABASE);
    } catch (ConfigurationException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), FailureTypes.CONFIGURATION_ERROR);
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure(
          "SQL " + e.getSQLState() + ": " + e.getMessage(), "SqlError");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted", "Interrupted");
    }
  }

  /** Runs DDL while a side thread heartbeats (an index build can take longer than a timeout). */
  private <T> T heartbeating(MigrationSpec spec, Work<T> work) {
    ActivityExecutionContext context = context();
    if (context == null) {
      return with(spec, (k, r) -> {}, work);
    }
    ScheduledExecutorService beat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-migration-heartbeat");
              t.setDaemon(true);
              return t;
            });
    try {
      beat.scheduleAtFixedRate(() -> context.heartbeat(null), 0, 10, TimeUnit.SECONDS);
      return with(spec, (k, r) -> {}, work);
    } finally {
      beat.shutdownNow();
    }
  }

  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException notInActivity) {
      return null;
    }
  }

  @Override
  public Plan check(MigrationSpec spec) {
    return with(
        spec,
        (k, r) -> {},
        m -> {
          List<String> summary = new ArrayList<>();
          List<Integer> backfills = m.check(summary);
          return new Plan(backfills, summary);
        });
  }

  @Override
  public void expand(MigrationSpec spec) {
    heartbeating(
        spec,
        m -> {
          m.expand();
          return null;
        });
  }

  @Override
  public Backfilled backfill(MigrationSpec spec, int index) {
    ActivityExecutionContext context = context();
    Migrator.Progress progress =
        context == null
            ? (k, r) -> {}
            : (lastKey, rows) -> context.heartbeat(new Position(lastKey, rows));
    // The probe gets a connection of its own, so it waits for the database as the app does.
    Migrator.Result result =
        with(spec, progress, m -> m.backfill(index, () -> datasources.open(spec.datasource())));
    return new Backfilled(result.rows(), result.batches(), result.lockTimeouts());
  }

  /** What a backfill heartbeats: the last key committed, the rows this attempt changed. */
  public record Position(String lastKey, long rows) {}

  @Override
  public Verified verify(MigrationSpec spec) {
    // Counting (and with checksums, comparing) scans whole tables: heartbeat meanwhile.
    return heartbeating(
        spec,
        m -> {
          Map<Integer, Long> remaining = new TreeMap<>();
          for (int i : Migrator.backfills(spec)) {
            remaining.put(i, m.remaining(i));
          }
          if (!spec.verify().checksums()) {
            return new Verified(remaining);
          }
          Map<Integer, Long> different = new TreeMap<>();
          Map<Integer, Long> nulls = new TreeMap<>();
          for (int i = 0; i < spec.operations().size(); i++) {
            different.put(i, m.different(i));
            nulls.put(i, m.nullsBeforeNotNull(i));
          }
          return new Verified(remaining, different, nulls);
        });
  }

  @Override
  public void contract(MigrationSpec spec) {
    heartbeating(
        spec,
        m -> {
          m.contract();
          return null;
        });
  }

  @Override
  public void rollback(MigrationSpec spec) {
    heartbeating(
        spec,
        m -> {
          m.rollback();
          return null;
        });
  }
}
