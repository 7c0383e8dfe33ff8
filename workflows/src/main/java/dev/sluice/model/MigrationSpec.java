package dev.sluice.model;

import java.time.Duration;
import java.util.List;

/**
 * An expand-contract schema migration (a schema change takes at least two deployments: the code
 * that works with both shapes ships between expand and contract), as written by a person: what to
 * change, on which database, how fast to backfill and what to wait for before the irreversible
 * contract.
 *
 * @param name unique per database, lower case: names the triggers and functions it creates
 * @param datasource a name from the worker's {@code migrations.datasources}; credentials never
 *     travel with the spec
 * @param operations applied in order
 * @param backfill how the copy runs; null: defaults
 * @param gate what lets the contract run; null: {@code promote}
 * @param verify what verify checks beyond "no row left to backfill"; null: nothing more
 */
public record MigrationSpec(
    String name,
    String datasource,
    List<MigrationOperation> operations,
    Backfill backfill,
    Gate gate,
    Verify verify) {

  public MigrationSpec {
    operations = operations == null ? List.of() : List.copyOf(operations);
    backfill = backfill == null ? Backfill.DEFAULT : backfill;
    gate = gate == null ? Gate.PROMOTE : gate;
    verify = verify == null ? Verify.DEFAULT : verify;
  }

  /** A spec whose verify checks only that no row is left to backfill. */
  public MigrationSpec(
      String name,
      String datasource,
      List<MigrationOperation> operations,
      Backfill backfill,
      Gate gate) {
    this(name, datasource, operations, backfill, gate, null);
  }

  /**
   * What verify checks after the backfill, beyond "no row left to backfill".
   *
   * @param checksums compare every copied value with its source, row by row (a full scan of each
   *     table): a renamed column with the old one, a retyped column with the old value cast or
   *     converted by {@code up}; and count the rows that would break a NOT NULL the contract will
   *     add. Any difference fails verify, and the migration rolls back before its gate
   */
  public record Verify(boolean checksums) {
    public static final Verify DEFAULT = new Verify(false);
  }

  /**
   * The batched copy of old columns into new ones.
   *
   * @param batchSize rows per batch, each its own transaction (default 1000)
   * @param delay pause between batches (default none)
   * @param lockTimeout {@code lock_timeout} of each batch (default 500 ms); a batch that times out
   *     waiting for a lock is retried with backoff
   * @param throttleQuery a query answering one number (e.g. replication lag in seconds, active
   *     connections); null: no throttle
   * @param throttleAbove while the query answers more than this, the backfill waits
   */
  public record Backfill(
      int batchSize,
      Duration delay,
      Duration lockTimeout,
      String throttleQuery,
      double throttleAbove) {

    public static final Backfill DEFAULT =
        new Backfill(1000, Duration.ZERO, Duration.ofMillis(500), null, 0);

    public Backfill {
      batchSize = batchSize <= 0 ? 1000 : batchSize;
      delay = delay == null ? Duration.ZERO : delay;
      lockTimeout = lockTimeout == null ? Duration.ofMillis(500) : lockTimeout;
    }
  }

  /**
   * What opens the contract phase: a person's (or the release pipeline's) {@code promote}, or
   * {@code after} a fixed time once verify passed — whichever comes first when both are given.
   *
   * @param promote wait for promote
   * @param after contract by itself after this long; null: never by itself
   */
  public record Gate(boolean promote, Duration after) {
    public static final Gate PROMOTE = new Gate(true, null);
  }
}
