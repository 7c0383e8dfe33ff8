package dev.sluice.workflows.activities;

import dev.sluice.model.MigrationSpec;
import io.temporal.activity.ActivityInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Schema changes on a datasource, each safe to repeat (a retried activity finds its own work done
 * and carries on). Credentials are resolved inside, from the datasource's name.
 */
@ActivityInterface(namePrefix = "Migration")
public interface MigrationActivities {

  /**
   * Checks the spec against the live catalog (tables, columns, primary keys, names free) and fails,
   * not retryable, with type {@code InvalidMigration} naming the operation when it cannot apply.
   */
  Plan check(MigrationSpec spec);

  /** Additive DDL only: new nullable columns, tables, indexes built concurrently, sync triggers. */
  void expand(MigrationSpec spec);

  /**
   * Copies old columns into new ones for operation {@code index}, batch by batch by primary key,
   * heartbeating; resumes after the last committed batch (the position is stored in the database
   * with each batch, so no row is copied twice).
   */
  Backfilled backfill(MigrationSpec spec, int index);

  /** Rows still to backfill, per operation; all zero before the gate opens. */
  Verified verify(MigrationSpec spec);

  /** The irreversible part: drops old columns and triggers, adds NOT NULL. */
  void contract(MigrationSpec spec);

  /** Removes what expand added; the old schema is left as it was. Only before contract. */
  void rollback(MigrationSpec spec);

  /**
   * What {@code check} found.
   *
   * @param backfills the indexes of the operations that need a backfill
   * @param summary one line per operation, for people
   */
  record Plan(List<Integer> backfills, List<String> summary) {}

  /** A finished backfill: rows it changed, batches it ran, lock timeouts it waited out. */
  record Backfilled(long rows, long batches, long lockTimeouts) {}

  /**
   * What verify found, per operation index: rows left unbackfilled, and with checksums rows whose
   * copy differs from its source or that would break the contract's NOT NULL (0 everywhere:
   * verified).
   */
  record Verified(
      Map<Integer, Long> remaining,
      Map<Integer, Long> different,
      Map<Integer, Long> nullsBeforeNotNull) {

    public Verified {
      different = different == null ? Map.of() : different;
      nullsBeforeNotNull = nullsBeforeNotNull == null ? Map.of() : nullsBeforeNotNull;
    }

    public Verified(Map<Integer, Long> remaining) {
      this(remaining, null, null);
    }

    public boolean complete() {
      return Stream.of(remaining, different, nullsBeforeNotNull)
          .flatMap(m -> m.values().stream())
          .allMatch(n -> n == 0);
    }

    /** What is wrong, for a person: "operation 1: 3 rows left to backfill, …". */
    public String problems() {
      List<String> problems = new ArrayList<>();
      remaining.forEach(
          (i, n) -> {
            if (n > 0) {
              problems.add("operation " + (i + 1) + ": " + n + " rows left to backfill");
            }
          });
      different.forEach(
          (i, n) -> {
            if (n > 0) {
              problems.add("operation " + (i + 1) + ": " + n + " rows differ from their source");
            }
          });
      nullsBeforeNotNull.forEach(
          (i, n) -> {
            if (n > 0) {
              problems.add(
                  "operation "
                      + (i + 1)
                      + ": "
                      + n
                      + " rows are NULL where contract adds NOT NULL");
            }
          });
      return String.join("; ", problems);
    }
  }
}
