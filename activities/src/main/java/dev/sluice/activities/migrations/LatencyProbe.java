package dev.sluice.activities.migrations;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A cheap statement run every {@link #INTERVAL_NANOS} on a connection of its own while a backfill
 * runs, so it waits for the database as the application's statements do. Each latency is measured
 * from when the probe was due, not from when it was sent: a stall counts once for every probe it
 * held back, as it would for the application's statements arriving meanwhile.
 */
final class LatencyProbe implements AutoCloseable {

  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /** Further behind its schedule than this (the JVM was paused), it starts a schedule afresh. */
  private static final long MAX_BEHIND_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Connection c;
  private final String query;
  private final Thread thread;
  private long[] samples = new long[256];
  private int count;
  private volatile boolean stop;
  private volatile SQLException failure;

  private LatencyProbe(Connection c, String query) {
    this.c = c;
    this.query = query;
    this.thread = new Thread(this::probe, "sluice-backfill-probe");
    thread.setDaemon(true);
  }

  /**
   * Opens the probe's connection, runs {@code query} once (its failure is thrown: a probe that
   * cannot run is a bad spec or a database that is down) and starts probing.
   */
  static LatencyProbe start(Migrator.Connector connector, String query) throws SQLException {
    Connection c = connector.open();
    try (Statement s = c.createStatement()) {
      s.execute(query);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    LatencyProbe probe = new LatencyProbe(c, query);
    probe.thread.start();
    return probe;
  }

  private void probe() {
    try (Statement s = c.createStatement()) {
      long due = System.nanoTime();
      while (!stop) {
        s.execute(query);
        long done = System.nanoTime();
        record(done - due);
        due += INTERVAL_NANOS;
        if (done - due > MAX_BEHIND_NANOS) {
          due = done;
        }
        long wait;
        while ((wait = due - System.nanoTime()) > 0 && !stop) {
          LockSupport.parkNanos(wait);
        }
      }
    } catch (SQLException e) {
      failure = e;
    }
  }

  private synchronized void record(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = nanos;
  }

  /** The latencies measured since the last call; throws what stopped the probe, if anything. */
  synchronized long[] drain() throws SQLException {
    if (failure != null) {
      throw failure;
    }
    long[] out = Arrays.copyOf(samples, count);
    count = 0;
    return out;
  }

  @Override
  public void close() throws SQLException {
    stop = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      c.close();
    }
  }
}
