package dev.sluice.activities.migrations;

import dev.sluice.model.MigrationSpec.Pace;
import java.util.Arrays;

/**
 * Decides each backfill batch's size and the rest after it from what earlier batches measured. Pure
 * code, no clock and no I/O: the backfill hands it the durations it measured, so its decisions are
 * tested with made-up ones.
 *
 * <p>Two loops, each on a signal the backfill can see without knowing the application:
 *
 * <ul>
 *   <li><b>Size from batch time</b> (as pt-online-schema-change's {@code --chunk-time}): the rows
 *       per second of recent batches (a moving average, or the last batch's if slower) times {@code
 *       targetBatchTime}, at most doubling from one batch to the next, within {@code [minBatchSize,
 *       maxBatchSize]}; halved after a lock timeout. A batch holds its rows' locks until it
 *       commits, so its duration is the longest an application statement touching one of those rows
 *       waits for it; and a busy database makes batches slower, which makes them smaller.
 *   <li><b>Rest from the probe</b> (as LEDBAT yields a link to foreground traffic): AIMD on the
 *       duty, the share of time the backfill works. The probe is a cheap statement timed on a
 *       connection of its own, so it waits for the database's CPU (and, reading what the
 *       application reads, its I/O) as the application's statements do. When the p99 of the recent
 *       probes is over {@code maxSlowdown} times the p99 measured before the backfill began, the
 *       duty is halved and the window of probes starts afresh (one slow spell is one cut, not one
 *       per batch it lasts); otherwise each batch adds {@value #DUTY_STEP} back, up to 1. The rest
 *       after a batch is its duration × (1 − duty) / duty.
 * </ul>
 *
 * A fixed pace keeps {@code batchSize} and never rests; without a baseline (no probe) the rest loop
 * stays at duty 1.
 */
final class BackfillPacer {

  /** The least share of time the backfill keeps working however slow the probe gets. */
  static final double MIN_DUTY = 0.05;

  /** Duty added back after a batch whose probes were within the limit. */
  static final double DUTY_STEP = 0.05;

  /** Probes kept to judge the database by (at one per 5 ms, half a second). */
  static final int WINDOW = 100;

  /** Fewer baseline probes than this and the rest loop stays off: no p99 to compare with. */
  static final int MIN_BASELINE = 20;

  /** Weight of the newest batch in the rows-per-second average. */
  static final double SMOOTHING = 0.3;

  /**
   * What to do next.
   *
   * @param batchSize rows in the next batch
   * @param restNanos how long to rest before it
   * @param duty the share of time the backfill works now
   * @param probeP99Nanos p99 of the probes in the window (0: none)
   */
  record Step(int batchSize, long restNanos, double duty, long probeP99Nanos) {}

  private final Pace pace;
  private int size;
  private double rowsPerNano = Double.NaN;
  private double duty = 1;
  private long baselineP99Nanos;
  private long limitNanos = Long.MAX_VALUE;
  private final long[] window = new long[WINDOW];
  private int count;
  private int next;

  BackfillPacer(int firstBatchSize, Pace pace) {
    this.pace = pace;
    this.size =
        pace.fixed()
            ? firstBatchSize
            : Math.max(pace.minBatchSize(), Math.min(pace.maxBatchSize(), firstBatchSize));
  }

  /** Rows in the next batch. */
  int batchSize() {
    return size;
  }

  /**
   * The probe's latencies before the first batch, with the backfill idle: {@code maxSlowdown} times
   * their p99 is the limit the probe is held to.
   */
  void baseline(long[] probeNanos) {
    if (pace.fixed() || probeNanos.length < MIN_BASELINE) {
      return;
    }
    long[] sorted = probeNanos.clone();
    Arrays.sort(sorted);
    baselineP99Nanos = p99(sorted, sorted.length);
    limitNanos = (long) Math.ceil(pace.maxSlowdown() * baselineP99Nanos);
  }

  long baselineP99Nanos() {
    return baselineP99Nanos;
  }

  /** The probe latency whose p99 makes the backfill rest (Long.MAX_VALUE: no baseline). */
  long limitNanos() {
    return limitNanos;
  }

  /**
   * After a committed batch of {@code rows} (the size asked for) that took {@code batchNanos}, with
   * {@code probeNanos} the probe latencies measured since the previous call.
   */
  Step afterBatch(int rows, long batchNanos, long[] probeNanos) {
    if (pace.fixed()) {
      return new Step(size, 0, 1, 0);
    }
    resize(rows, batchNanos);
    for (long p : probeNanos) {
      window[next] = p;
      next = (next + 1) % WINDOW;
      count = Math.min(WINDOW, count + 1);
    }
    long p99 = windowP99();
    if (limitNanos != Long.MAX_VALUE && count > 0 && p99 > limitNanos) {
      duty = Math.max(MIN_DUTY, duty / 2);
      count = 0;
      next = 0;
    } else {
      duty = Math.min(1, duty + DUTY_STEP);
    }
    long rest = duty >= 1 ? 0 : (long) (batchNanos * (1 - duty) / duty);
    return new Step(size, rest, duty, p99);
  }

  /** After a batch that timed out waiting for a lock: the next one is half as big. */
  int afterLockTimeout() {
    if (!pace.fixed()) {
      size = Math.max(pace.minBatchSize(), size / 2);
    }
    return size;
  }

  private void resize(int rows, long batchNanos) {
    if (rows <= 0 || batchNanos <= 0) {
      return;
    }
    double rate = rows / (double) batchNanos;
    rowsPerNano =
        Double.isNaN(rowsPerNano) ? rate : SMOOTHING * rate + (1 - SMOOTHING) * rowsPerNano;
    // Grow on the average, shrink on the latest: one slow batch is enough to back off.
    double wanted = Math.min(rowsPerNano, rate) * pace.targetBatchTime().toNanos();
    long capped = (long) Math.min(wanted, 2.0 * size);
    size = (int) Math.max(pace.minBatchSize(), Math.min(pace.maxBatchSize(), capped));
  }

  private long windowP99() {
    if (count == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(window, count);
    Arrays.sort(sorted);
    return p99(sorted, count);
  }

  private static long p99(long[] sorted, int n) {
    int index = (int) Math.ceil(0.99 * n) - 1;
    return sorted[Math.max(0, Math.min(n - 1, index))];
  }
}
