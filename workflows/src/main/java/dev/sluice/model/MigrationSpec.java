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
   * @param batchSize rows per batch, each its own transaction (default 1000); with an adaptive
   *     {@code pace}, the first batch's size
   * @param delay pause between batches (default none), on top of any rest the pace takes
   * @param lockTimeout {@code lock_timeout} of each batch (default 500 ms); a batch that times out
   *     waiting for a lock is retried with backoff
   * @param throttleQuery a query answering one number (e.g. replication lag in seconds, active
   *     connections); null: no throttle
   * @param throttleAbove while the query answers more than this, the backfill waits
   * @param pace how batch sizes and the rests between batches adapt; null: adaptive defaults
   */
  public record Backfill(
      int batchSize,
      Duration delay,
      Duration lockTimeout,
      String throttleQuery,
      double throttleAbove,
      Pace pace) {

    public static final Backfill DEFAULT =
        new Backfill(1000, Duration.ZERO, Duration.ofMillis(500), null, 0, Pace.ADAPTIVE);

    public Backfill {
      batchSize = batchSize <= 0 ? 1000 : batchSize;
      delay = delay == null ? Duration.ZERO : delay;
      lockTimeout = lockTimeout == null ? Duration.ofMillis(500) : lockTimeout;
      pace = pace == null ? Pace.ADAPTIVE : pace;
    }

    /** A backfill paced adaptively with the default settings. */
    public Backfill(
        int batchSize,
        Duration delay,
        Duration lockTimeout,
        String throttleQuery,
        double throttleAbove) {
      this(batchSize, delay, lockTimeout, throttleQuery, throttleAbove, null);
    }
  }

  /**
   * How the backfill paces itself. Adaptive (the default): each batch is sized so it takes about
   * {@code targetBatchTime} (which bounds how long it holds its rows' locks), and the backfill
   * rests between batches while a probe statement, run every few milliseconds on a connection of
   * its own, is slower than {@code maxSlowdown} times what it was before the backfill began (the
   * database is busier for everyone: the application's statements are waiting too). Null components
   * mean their defaults, so a spec written before pacing existed reads as adaptive.
   *
   * @param fixed true: every batch is {@code batchSize} rows and the only pause is {@code delay}
   * @param targetBatchTime how long a batch should take (default 10 ms): a batch holds its rows'
   *     locks until it commits, so this bounds how long an application write meeting one waits
   * @param minBatchSize the smallest batch the pace chooses (default 100)
   * @param maxBatchSize the largest batch the pace chooses (default 50,000)
   * @param maxSlowdown how much slower than its baseline the probe's p99 may get before the
   *     backfill rests (default 1.5)
   * @param probeQuery the probe statement (default {@code SELECT 1}); a cheap query like the
   *     application's own (a primary-key read) probes what it feels
   */
  public record Pace(
      boolean fixed,
      Duration targetBatchTime,
      Integer minBatchSize,
      Integer maxBatchSize,
      Double maxSlowdown,
      String probeQuery) {

    public static final Duration DEFAULT_TARGET_BATCH_TIME = Duration.ofMillis(10);
    public static final int DEFAULT_MIN_BATCH_SIZE = 100;
    public static final int DEFAULT_MAX_BATCH_SIZE = 50_000;
    public static final double DEFAULT_MAX_SLOWDOWN = 1.5;
    public static final String DEFAULT_PROBE_QUERY = "SELECT 1";

    public static final Pace ADAPTIVE = new Pace(false, null, null, null, null, null);
    public static final Pace FIXED = new Pace(true, null, null, null, null, null);

    public Pace {
      targetBatchTime = targetBatchTime == null ? DEFAULT_TARGET_BATCH_TIME : targetBatchTime;
      minBatchSize = minBatchSize == null ? DEFAULT_MIN_BATCH_SIZE : minBatchSize;
      maxBatchSize = maxBatchSize == null ? DEFAULT_MAX_BATCH_SIZE : maxBatchSize;
      maxSlowdown = maxSlowdown == null ? DEFAULT_MAX_SLOWDOWN : maxSlowdown;
      probeQuery = probeQuery == null ? DEFAULT_PROBE_QUERY : probeQuery;
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
