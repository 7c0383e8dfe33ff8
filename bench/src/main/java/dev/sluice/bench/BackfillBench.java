package dev.sluice.bench;

import dev.sluice.activities.migrations.Migrator;
import dev.sluice.model.MigrationOperation;
import dev.sluice.model.MigrationSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ./bench/run backfill [BATCH [RATE [PACE]]]}: the schema-migration engine's backfill on a
 * real PostgreSQL (embedded, zonky 16.x with its defaults: {@code synchronous_commit=off}) while an
 * old app keeps writing. A rename {@code users.phone → phone_number} over 1,000,000 rows.
 *
 * <ol>
 *   <li>{@code single_update_rows_per_s}: the yardstick, one {@code UPDATE users_copy SET
 *       phone_number = phone} over an identical copy of the table (nullable column added first, so
 *       the same work: every row rewritten with the new column set), without writers.
 *   <li>Eight writers (the old app: its own connection each, 70% {@code UPDATE users SET phone = ?
 *       WHERE id = random}, 30% {@code INSERT INTO users (name, phone)}), paced at RATE
 *       statements/s in all (default 800; 0: as fast as they can). A statement's latency is
 *       measured from when its schedule said to send it, so a stalled statement also counts against
 *       the ones queued behind it (no coordinated omission). {@code writer_p99_ms_before}: 10 s
 *       before the migration, after 5 s of warm-up.
 *   <li>The migration: {@link Migrator#check}, {@link Migrator#expand}, 5 s of writes with the sync
 *       trigger but no backfill ({@code writer_p99_ms_trigger}: the trigger's own cost, and {@code
 *       writer_p99_x_trigger} the writers' p99 during the backfill over it), then {@link
 *       Migrator#backfill(int, Migrator.Connector)} with PACE {@code adaptive} (default: the spec's
 *       default pace, BATCH the first batch's size; its probe gets a connection of its own) or
 *       {@code fixed} (BATCH rows every batch, default 1000). {@code rows_per_s}: rows it changed /
 *       the seconds of the whole call, the probe's 1 s baseline included; {@code copy_rows_per_s}
 *       and {@code writer_p99_ms_during}: from the first batch on. The batch sizes the pace chose
 *       are printed (min, median, max, a trace of about 20 batches), with its rests and duty.
 *   <li>{@code max_lock_wait_ms}: a monitor connection samples {@code pg_locks} every 20 ms from
 *       check to the end of the backfill and keeps the longest {@code clock_timestamp() -
 *       waitstart} of any lock not granted (PostgreSQL 14+ records when each wait began), whoever
 *       waits: writer, migrator (DDL or backfill batch). Sampling can only miss a wait shorter than
 *       the sampling period, or the last &lt;20 ms of a longer one, so the figure is exact to about
 *       20 ms. The writers' longest statement in the same window is printed too, as an upper bound.
 * </ol>
 *
 * Why 800 statements/s: unthrottled, the eight writers alone saturate two cores, so "before" would
 * be measured at saturation and the backfill would get a ninth of the CPU; 800 statements/s is a
 * busy app that leaves the database headroom.
 *
 * <p>A {@code # host} line gives the CPU this benchmark and everything else used: the figures only
 * mean something when the rest of the machine was idle (a warning is printed otherwise); a {@code #
 * machine} line the hypervisor's steal over the whole run ({@code /proc/stat}) and {@code
 * /proc/loadavg} at its start and end. With {@code -Dbench.timeline=true} (e.g. in {@code
 * JAVA_TOOL_OPTIONS}) the writers' figures per second go to stderr. PostgreSQL's own output goes to
 * {@code .sluice/bench-backfill-postgres.log}.
 */
public final class BackfillBench {

  static final int ROWS = 1_000_000;
  static final int DEFAULT_RATE = 800;
  static final int WRITERS = 8;
  static final int INSERT_PERCENT = 30;
  static final Duration WARM_UP = Duration.ofSeconds(5);
  static final Duration BEFORE = Duration.ofSeconds(10);
  static final Duration TRIGGER_ONLY = Duration.ofSeconds(5);
  static final long SAMPLE_MILLIS = 20;
  static final String SPEC_NAME = "phone_rename";

  private BackfillBench() {}

  public static void run(PrintStream out, int batchSize, int rate, String pace) throws Exception {
    if (!pace.equals("adaptive") && !pace.equals("fixed")) {
      throw new IllegalArgumentException("PACE must be adaptive or fixed, not " + pace);
    }
    Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath();
    Path sluiceDir = home.resolve(".sluice");
    Files.createDirectories(sluiceDir);
    Path pgLog = sluiceDir.resolve("bench-backfill-postgres.log");
    Files.deleteIfExists(pgLog);
    long begun = System.nanoTime();
    String loadAtStart = loadavg();
    HostCpu cpuAtRunStart = HostCpu.sample();
    log("starting embedded PostgreSQL (its output: %s)", pgLog);
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setOutputRedirector(ProcessBuilder.Redirect.appendTo(pgLog.toFile()))
            .setErrorRedirector(ProcessBuilder.Redirect.appendTo(pgLog.toFile()))
            .start()) {
      String url = pg.getJdbcUrl("postgres", "postgres");
      String version;
      double singleRowsPerS;
      try (Connection c = connect(url, "bench-setup")) {
        version = queryString(c, "SHOW server_version");
        // pg_ctl detaches the postmaster from this JVM: find it as a backend's parent.
        HostCpu.postmaster = HostCpu.parent(queryLong(c, "SELECT pg_backend_pid()"));
        singleRowsPerS = setUp(c);
      }
      measure(out, url, batchSize, rate, pace.equals("fixed"), singleRowsPerS, version);
    }
    // PostgreSQL has stopped: count this JVM's processes alone (steal is the machine's anyway).
    HostCpu.postmaster = 0;
    HostCpu cpuAtRunEnd = HostCpu.sample();
    out.printf(
        Locale.ROOT,
        "# machine over the whole run (%.0f s): steal %s of one core (/proc/stat), loadavg at"
            + " start %s, at end %s (/proc/loadavg)%n",
        (System.nanoTime() - begun) / 1e9,
        HostCpu.steal(cpuAtRunStart, cpuAtRunEnd),
        loadAtStart,
        loadavg());
    log("done in %.0f s", (System.nanoTime() - begun) / 1e9);
  }

  /** Creates and fills {@code users}; returns the single statement's rows per second. */
  private static double setUp(Connection c) throws SQLException {
    long t = System.nanoTime();
    exec(c, "CREATE TABLE users (id bigserial PRIMARY KEY, name text, phone text NOT NULL)");
    exec(
        c,
        "INSERT INTO users (name, phone) SELECT 'user ' || g, '+1-555-' || lpad(g::text, 7, '0')"
            + " FROM generate_series(1, "
            + ROWS
            + ") g");
    exec(c, "VACUUM ANALYZE users");
    log("users: %,d rows in %.1f s", ROWS, (System.nanoTime() - t) / 1e9);

    // The yardstick on an identical copy (same columns, same primary key, vacuumed), so the
    // migrated table is left untouched by it.
    exec(c, "CREATE TABLE users_copy (id bigint PRIMARY KEY, name text, phone text NOT NULL)");
    exec(c, "INSERT INTO users_copy SELECT id, name, phone FROM users ORDER BY id");
    exec(c, "VACUUM ANALYZE users_copy");
    exec(c, "ALTER TABLE users_copy ADD COLUMN phone_number text");
    exec(c, "CHECKPOINT");
    long start = System.nanoTime();
    long updated;
    try (Statement s = c.createStatement()) {
      updated = s.executeUpdate("UPDATE users_copy SET phone_number = phone");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    log("single UPDATE: %,d rows in %.2f s", updated, seconds);
    exec(c, "DROP TABLE users_copy");
    exec(c, "CHECKPOINT");
    return updated / seconds;
  }

  private static void measure(
      PrintStream out,
      String url,
      int batchSize,
      int rate,
      boolean fixed,
      double singleRowsPerS,
      String version)
      throws Exception {
    MigrationSpec spec =
        new MigrationSpec(
            SPEC_NAME,
            "bench",
            List.of(MigrationOperation.renameColumn("users", "phone", "phone_number")),
            new MigrationSpec.Backfill(
                batchSize,
                Duration.ZERO,
                Duration.ofMillis(500),
                null,
                0,
                fixed ? MigrationSpec.Pace.FIXED : MigrationSpec.Pace.ADAPTIVE),
            null);
    Writers writers = new Writers(url, rate);
    LockMonitor monitor = new LockMonitor(url);
    List<Migrator.Batch> batches = new ArrayList<>();
    long[] probe = {0, 0};
    long[] firstBatchStart = {0};
    long beforeStart;
    long beforeEnd;
    long migrationStart;
    long expandEnd;
    long backfillStart;
    long backfillEnd;
    Migrator.Result result;
    HostCpu cpuBeforeStart;
    HostCpu cpuBeforeEnd;
    HostCpu cpuAtStart;
    HostCpu cpuAtEnd;
    long remaining;
    long inconsistent;
    List<String> summary = new ArrayList<>();
    try {
      monitor.start();
      writers.start();
      sleep(WARM_UP);
      cpuBeforeStart = HostCpu.sample();
      beforeStart = System.nanoTime();
      sleep(BEFORE);
      beforeEnd = System.nanoTime();
      cpuBeforeEnd = HostCpu.sample();
      log("writers before: %s", writers.stats(beforeStart, beforeEnd));
      try (Connection mc = connect(url, "bench-migrator")) {
        boolean[] backfilling = {false};
        long[] ddlPauses = {0};
        Migrator migrator =
            new Migrator(
                mc,
                spec,
                new Migrator.Progress() {
                  @Override
                  public void beat(String lastKey, long rows) {
                    // Beats before the backfill are the DDL's lock-timeout pauses.
                    if (!backfilling[0]) {
                      ddlPauses[0]++;
                    }
                  }

                  @Override
                  public void probed(long baselineP99Nanos, long limitNanos) {
                    probe[0] = baselineP99Nanos;
                    probe[1] = limitNanos;
                  }

                  @Override
                  public void batch(Migrator.Batch batch) {
                    if (batches.isEmpty()) {
                      firstBatchStart[0] = System.nanoTime() - batch.nanos();
                    }
                    batches.add(batch);
                  }
                });
        migrationStart = System.nanoTime();
        List<Integer> backfills = migrator.check(summary);
        migrator.expand();
        expandEnd = System.nanoTime();
        log(
            "check + expand: %.0f ms, %d lock-timeout pauses (%s)",
            (expandEnd - migrationStart) / 1e6, ddlPauses[0], String.join("; ", summary));
        sleep(TRIGGER_ONLY);
        log(
            "writers with the sync trigger, no backfill: %s",
            writers.stats(expandEnd, System.nanoTime()));
        log(
            "backfill, %s pace, %d rows in the first batch …",
            fixed ? "fixed" : "adaptive", batchSize);
        cpuAtStart = HostCpu.sample();
        backfillStart = System.nanoTime();
        backfilling[0] = true;
        result = migrator.backfill(backfills.get(0), () -> connect(url, "bench-backfill-probe"));
        backfillEnd = System.nanoTime();
        cpuAtEnd = HostCpu.sample();
        log(
            "backfill: %,d rows, %,d batches, %d lock timeouts in %.1f s",
            result.rows(),
            result.batches(),
            result.lockTimeouts(),
            (backfillEnd - backfillStart) / 1e9);
      }
    } finally {
      writers.close();
      monitor.close();
    }
    if (Boolean.getBoolean("bench.timeline")) {
      for (long t = beforeStart - WARM_UP.toNanos(); t < backfillEnd; t += 1_000_000_000L) {
        log(
            "t=%+.0f s %s",
            (t - backfillStart) / 1e9, writers.stats(t, Math.min(backfillEnd, t + 1_000_000_000L)));
      }
    }
    try (Connection mc = connect(url, "bench-verify")) {
      remaining = new Migrator(mc, spec, (k, r) -> {}).remaining(0);
      inconsistent =
          queryLong(mc, "SELECT count(*) FROM users WHERE phone_number IS DISTINCT FROM phone");
    }

    double backfillSeconds = (backfillEnd - backfillStart) / 1e9;
    double rowsPerS = result.rows() / backfillSeconds;
    // The writers "during" and the copy's own rate: from the first batch on, so the probe's
    // baseline (the backfill idle for 1 s) neither dilutes the writers' p99 nor the copy's rate.
    long copyStart = firstBatchStart[0] == 0 ? backfillStart : firstBatchStart[0];
    double copyRowsPerS = result.rows() / ((backfillEnd - copyStart) / 1e9);
    Writers.Stats before = writers.stats(beforeStart, beforeEnd);
    Writers.Stats trigger = writers.stats(expandEnd, backfillStart);
    Writers.Stats during = writers.stats(copyStart, backfillEnd);
    LockMonitor.Wait longest = monitor.longest(migrationStart, backfillEnd);
    LockMonitor.Wait longestBefore = monitor.longest(beforeStart, beforeEnd);
    double maxLockWaitMs = longest == null ? 0 : longest.millis();
    double ratio = rowsPerS / singleRowsPerS;
    double copyRatio = copyRowsPerS / singleRowsPerS;
    double p99Ratio = during.p99Ms() / before.p99Ms();
    // Expand installs the sync trigger before any row is copied: its cost is the migration's,
    // there with or without a backfill, and the pace's baseline is taken with it.
    double p99RatioToTrigger = during.p99Ms() / trigger.p99Ms();
    List<Integer> sizes = batches.stream().map(Migrator.Batch::size).sorted().toList();
    double steal = HostCpu.stolen(cpuAtStart, cpuAtEnd);
    out.printf(
        Locale.ROOT,
        "BENCH backfill rows_per_s=%.0f copy_rows_per_s=%.0f single_update_rows_per_s=%.0f"
            + " pct_of_single_update=%.0f copy_pct_of_single_update=%.0f writer_p99_ms_before=%.1f"
            + " writer_p99_ms_during=%.1f writer_p99_x=%.2f writer_p99_ms_trigger=%.1f"
            + " writer_p99_x_trigger=%.2f max_lock_wait_ms=%.0f batch_min=%d"
            + " batch_median=%d batch_max=%d steal_pct=%.0f%n",
        rowsPerS,
        copyRowsPerS,
        singleRowsPerS,
        100 * ratio,
        100 * copyRatio,
        before.p99Ms(),
        during.p99Ms(),
        p99Ratio,
        trigger.p99Ms(),
        p99RatioToTrigger,
        maxLockWaitMs,
        sizes.isEmpty() ? 0 : sizes.get(0),
        sizes.isEmpty() ? 0 : sizes.get((sizes.size() - 1) / 2),
        sizes.isEmpty() ? 0 : sizes.get(sizes.size() - 1),
        steal);
    out.printf(Locale.ROOT, "# pace: %s%n", paceSummary(batches, probe[0], probe[1], fixed));
    out.printf(Locale.ROOT, "# pace trace (#batch size@ms+rest ms): %s%n", trace(batches));
    out.printf(
        Locale.ROOT,
        "# setup: PostgreSQL %s embedded (zonky defaults, synchronous_commit=off), %,d rows, %d"
            + " writers at %s statements/s (%d%% inserts), %s pace, first batch_size=%d%n",
        version,
        ROWS,
        WRITERS,
        rate > 0 ? String.valueOf(rate) : "unthrottled",
        INSERT_PERCENT,
        fixed ? "fixed" : "adaptive",
        batchSize);
    out.printf(
        Locale.ROOT,
        "# backfill: rows=%d batches=%d lock_timeouts=%d seconds=%.1f check_expand_ms=%.0f"
            + " batch_ms_p50=%.1f batch_ms_p99=%.1f batch_ms_max=%.1f%n",
        result.rows(),
        result.batches(),
        result.lockTimeouts(),
        backfillSeconds,
        (expandEnd - migrationStart) / 1e6,
        Percentiles.of(batches.stream().map(Migrator.Batch::nanos).toList(), 0.50) / 1e6,
        Percentiles.of(batches.stream().map(Migrator.Batch::nanos).toList(), 0.99) / 1e6,
        Percentiles.of(batches.stream().map(Migrator.Batch::nanos).toList(), 1.0) / 1e6);
    out.printf(
        Locale.ROOT,
        "# host: %d cores; CPU of this benchmark (JVM and PostgreSQL) / of other processes /"
            + " stolen by the hypervisor: before %s / %s / %s, during the backfill %s / %s / %s%n",
        Runtime.getRuntime().availableProcessors(),
        HostCpu.percent(cpuBeforeStart, cpuBeforeEnd, true),
        HostCpu.percent(cpuBeforeStart, cpuBeforeEnd, false),
        HostCpu.steal(cpuBeforeStart, cpuBeforeEnd),
        HostCpu.percent(cpuAtStart, cpuAtEnd, true),
        HostCpu.percent(cpuAtStart, cpuAtEnd, false),
        HostCpu.steal(cpuAtStart, cpuAtEnd));
    if (HostCpu.other(cpuBeforeStart, cpuBeforeEnd) > 20
        || HostCpu.other(cpuAtStart, cpuAtEnd) > 20
        || HostCpu.stolen(cpuBeforeStart, cpuBeforeEnd) > 10
        || HostCpu.stolen(cpuAtStart, cpuAtEnd) > 10) {
      out.println(
          "# warning: other processes or the hypervisor took CPU during the measurement: the"
              + " figures are not reliable, run it again on a quiet machine");
    }
    out.printf(Locale.ROOT, "# writers before:               %s%n", before);
    out.printf(Locale.ROOT, "# writers trigger, no backfill: %s%n", trigger);
    out.printf(Locale.ROOT, "# writers during backfill:      %s%n", during);
    out.printf(
        Locale.ROOT,
        "# lock waits (sampled every %d ms from pg_locks.waitstart): longest during migration %s;"
            + " before it %s; waits seen during migration: %d%n",
        SAMPLE_MILLIS,
        longest == null ? "none" : longest.toString(),
        longestBefore == null ? "none" : longestBefore.toString(),
        monitor.distinctWaits(migrationStart, backfillEnd));
    out.printf(
        Locale.ROOT,
        "# upper bound of a writer's lock wait, its longest statement from check to end of backfill:"
            + " %.1f ms%n",
        writers.stats(migrationStart, backfillEnd).maxMs());
    out.printf(
        Locale.ROOT,
        "# verify: remaining=%d rows where phone_number IS DISTINCT FROM phone: %d; writer"
            + " errors: %s%n",
        remaining,
        inconsistent,
        writers.errors());
    out.printf(
        Locale.ROOT,
        "# targets: backfill >= 50%% of single update throughput: %.0f%% %s (the copy alone,"
            + " without the probe's 1 s baseline: %.0f%%)%n",
        100 * ratio,
        ratio >= 0.5 ? "met" : "not met",
        100 * copyRatio);
    out.printf(
        Locale.ROOT,
        "# targets: writers' p99 during <= 2x before: %.2fx %s (the sync trigger alone: %.2fx;"
            + " the backfill on top of it: %.2fx)%n",
        p99Ratio,
        p99Ratio <= 2 ? "met" : "not met",
        trigger.p99Ms() / before.p99Ms(),
        p99RatioToTrigger);
    out.printf(
        Locale.ROOT,
        "# targets: no lock wait over 500 ms: longest %.0f ms %s%n",
        maxLockWaitMs,
        maxLockWaitMs <= 500 ? "met" : "not met");
  }

  // --- the old app -------------------------------------------------------------------------------

  /**
   * The writers. Each keeps (intended start, latency) per statement; read only after {@link
   * #close()} joined them, or (for progress logs) approximately while they run.
   */
  static final class Writers implements AutoCloseable {

    /** Writers' figures over a window. */
    record Stats(long statements, double seconds, double p50Ms, double p99Ms, double maxMs) {
      @Override
      public String toString() {
        return String.format(
            Locale.ROOT,
            "statements=%d rate=%.0f/s p50_ms=%.2f p99_ms=%.2f max_ms=%.1f",
            statements,
            statements / seconds,
            p50Ms,
            p99Ms,
            maxMs);
      }
    }

    private final String url;
    private final long intervalNanos;
    private final List<Thread> threads = new ArrayList<>();
    private final List<long[][]> records = new ArrayList<>();
    private final int[] counts = new int[WRITERS];
    private volatile boolean stop;
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    Writers(String url, int rate) {
      this.url = url;
      this.intervalNanos = rate > 0 ? (long) (1e9 * WRITERS / rate) : 0;
    }

    void start() throws SQLException {
      List<Connection> connections = new ArrayList<>();
      try {
        for (int w = 0; w < WRITERS; w++) {
          connections.add(connect(url, "bench-writer-" + w));
        }
      } catch (SQLException e) {
        for (Connection c : connections) {
          c.close();
        }
        throw e;
      }
      for (int w = 0; w < WRITERS; w++) {
        int index = w;
        Connection c = connections.get(w);
        // Two arrays, starts and latencies, grown by the writer itself.
        long[][] mine = {new long[1 << 16], new long[1 << 16]};
        records.add(mine);
        Thread t = new Thread(() -> write(index, c, mine), "bench-writer-" + w);
        t.setDaemon(true);
        threads.add(t);
      }
      threads.forEach(Thread::start);
    }

    private void write(int index, Connection c, long[][] mine) {
      SplittableRandom random = new SplittableRandom(index * 7919L + 17);
      long next = System.nanoTime() + (intervalNanos > 0 ? random.nextLong(intervalNanos) : 0);
      try (c;
          PreparedStatement update = c.prepareStatement("UPDATE users SET phone = ? WHERE id = ?");
          PreparedStatement insert =
              c.prepareStatement("INSERT INTO users (name, phone) VALUES (?, ?)")) {
        long n = 0;
        while (!stop) {
          long intended;
          if (intervalNanos > 0) {
            long wait;
            while ((wait = next - System.nanoTime()) > 0 && !stop) {
              LockSupport.parkNanos(wait);
            }
            intended = next;
            next += intervalNanos;
          } else {
            intended = System.nanoTime();
          }
          n++;
          try {
            if (random.nextInt(100) < INSERT_PERCENT) {
              insert.setString(1, "writer " + index);
              insert.setString(2, "+1-556-" + index + "-" + n);
              insert.executeUpdate();
            } else {
              update.setString(1, "+1-557-" + index + "-" + n);
              update.setLong(2, 1 + random.nextLong(ROWS));
              update.executeUpdate();
            }
          } catch (SQLException e) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, e.getSQLState() + " " + e.getMessage());
            if (errors.get() > 1000) {
              return;
            }
            continue;
          }
          long latency = System.nanoTime() - intended;
          synchronized (mine) {
            int i = counts[index];
            if (i == mine[0].length) {
              mine[0] = Arrays.copyOf(mine[0], i * 2);
              mine[1] = Arrays.copyOf(mine[1], i * 2);
            }
            mine[0][i] = intended;
            mine[1][i] = latency;
            counts[index] = i + 1;
          }
        }
      } catch (SQLException e) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, e.getSQLState() + " " + e.getMessage());
      }
    }

    /** Statements whose intended start lies in [from, to). */
    Stats stats(long from, long to) {
      List<Long> latencies = new ArrayList<>();
      for (int w = 0; w < records.size(); w++) {
        long[][] mine = records.get(w);
        synchronized (mine) {
          for (int i = 0; i < counts[w]; i++) {
            if (mine[0][i] >= from && mine[0][i] < to) {
              latencies.add(mine[1][i]);
            }
          }
        }
      }
      Collections.sort(latencies);
      return new Stats(
          latencies.size(),
          (to - from) / 1e9,
          Percentiles.of(latencies, 0.50) / 1e6,
          Percentiles.of(latencies, 0.99) / 1e6,
          Percentiles.of(latencies, 1.0) / 1e6);
    }

    String errors() {
      long n = errors.get();
      return n == 0 ? "0" : n + " (first: " + firstError.get() + ")";
    }

    @Override
    public void close() {
      stop = true;
      for (Thread t : threads) {
        try {
          t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  // --- lock waits --------------------------------------------------------------------------------

  /** Samples the locks not granted, with how long each has been waited for. */
  static final class LockMonitor implements AutoCloseable {

    /** One observation of a waiting backend. */
    record Wait(long atNanos, int pid, String who, String lock, String since, double millis) {
      @Override
      public String toString() {
        return String.format(Locale.ROOT, "%.0f ms by %s (pid %d) on %s", millis, who, pid, lock);
      }
    }

    private final String url;
    private final List<Wait> waits = new ArrayList<>();
    private Thread thread;
    private volatile boolean stop;
    private final AtomicReference<String> error = new AtomicReference<>();

    LockMonitor(String url) {
      this.url = url;
    }

    void start() throws SQLException {
      Connection c = connect(url, "bench-lock-monitor");
      thread = new Thread(() -> sample(c), "bench-lock-monitor");
      thread.setDaemon(true);
      thread.start();
    }

    private void sample(Connection c) {
      String sql =
          "SELECT l.pid, coalesce(a.application_name, ''), l.locktype || ' ' || l.mode,"
              + " l.waitstart::text, extract(epoch FROM clock_timestamp() - l.waitstart) * 1000"
              + " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
              + " WHERE NOT l.granted AND l.waitstart IS NOT NULL";
      try (c;
          PreparedStatement ps = c.prepareStatement(sql)) {
        while (!stop) {
          long at = System.nanoTime();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Wait w =
                  new Wait(
                      at,
                      rs.getInt(1),
                      rs.getString(2),
                      rs.getString(3),
                      rs.getString(4),
                      rs.getDouble(5));
              synchronized (waits) {
                waits.add(w);
              }
            }
          }
          LockSupport.parkNanos(
              Math.max(0, at + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS) - System.nanoTime()));
        }
      } catch (SQLException e) {
        error.set(e.getMessage());
      }
    }

    /** The longest wait observed in [from, to]; null if none. */
    Wait longest(long from, long to) {
      Wait best = null;
      synchronized (waits) {
        for (Wait w : waits) {
          if (w.atNanos() >= from
              && w.atNanos() <= to
              && (best == null || w.millis() > best.millis())) {
            best = w;
          }
        }
      }
      return best;
    }

    /** Distinct waits (backend and start) observed in [from, to]. */
    long distinctWaits(long from, long to) {
      synchronized (waits) {
        return waits.stream()
            .filter(w -> w.atNanos() >= from && w.atNanos() <= to)
            .map(w -> w.pid() + "@" + w.since())
            .distinct()
            .count();
      }
    }

    @Override
    public void close() {
      stop = true;
      if (thread != null) {
        try {
          thread.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (error.get() != null) {
        log("lock monitor failed: %s", error.get());
      }
    }
  }

  // --- the machine ---------------------------------------------------------------------------

  /**
   * CPU time (Linux clock ticks) of the whole machine and of this JVM with its descendants
   * (PostgreSQL), so a figure taken while something else was busy on the machine says so.
   */
  record HostCpu(long nanos, long busyTicks, long ourTicks, long stealTicks) {

    /** The PostgreSQL postmaster's pid (0: unknown). */
    static volatile long postmaster;

    static long parent(long pid) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    static HostCpu sample() {
      try {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < cpu.length && i <= 7; i++) { // user … softirq; not steal or guest
          if (i != 4 && i != 5) { // idle, iowait
            busy += Long.parseLong(cpu[i]);
          }
        }
        Set<Long> pids = new HashSet<>();
        for (ProcessHandle root :
            postmaster == 0
                ? List.of(ProcessHandle.current())
                : List.of(ProcessHandle.current(), ProcessHandle.of(postmaster).orElseThrow())) {
          pids.add(root.pid());
          root.descendants().forEach(p -> pids.add(p.pid()));
        }
        long ours = 0;
        for (long pid : pids) {
          ours += ticks(pid);
        }
        return new HostCpu(
            System.nanoTime(), busy, ours, cpu.length > 8 ? Long.parseLong(cpu[8]) : 0);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    private static long ticks(long pid) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // After the command's closing parenthesis: state is field 3, then utime, stime, cutime
        // and cstime are 14 to 17 (cutime and cstime: children reaped, e.g. autovacuum workers).
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11])
            + Long.parseLong(f[12])
            + Long.parseLong(f[13])
            + Long.parseLong(f[14]);
      } catch (IOException | RuntimeException e) {
        return 0; // exited meanwhile
      }
    }

    /** Percent of one core the hypervisor gave to other machines over the interval (0: unknown). */
    static double stolen(HostCpu from, HostCpu to) {
      if (from == null || to == null) {
        return 0;
      }
      double seconds = (to.nanos() - from.nanos()) / 1e9;
      return (to.stealTicks() - from.stealTicks()) / 100.0 / seconds * 100;
    }

    static String steal(HostCpu from, HostCpu to) {
      return from == null || to == null
          ? "unknown"
          : String.format(Locale.ROOT, "%.0f%%", stolen(from, to));
    }

    /** Percent of one core used by other processes over the interval (0: unknown). */
    static double other(HostCpu from, HostCpu to) {
      if (from == null || to == null) {
        return 0;
      }
      double seconds = (to.nanos() - from.nanos()) / 1e9;
      long ticks = (to.busyTicks() - from.busyTicks()) - (to.ourTicks() - from.ourTicks());
      return Math.max(0, ticks) / 100.0 / seconds * 100;
    }

    /** Percent of one core (200%: two), averaged over the interval, for us or everything else. */
    static String percent(HostCpu from, HostCpu to, boolean ours) {
      if (from == null || to == null) {
        return "unknown (no /proc)";
      }
      double seconds = (to.nanos() - from.nanos()) / 1e9;
      // USER_HZ is 100 on Linux.
      double percent =
          ours ? (to.ourTicks() - from.ourTicks()) / 100.0 / seconds * 100 : other(from, to);
      return String.format(Locale.ROOT, "%.0f%%", percent);
    }
  }

  // --- the pace ----------------------------------------------------------------------------------

  /** Batch sizes, durations, rests and duty the pace chose, and the probe's baseline. */
  static String paceSummary(
      List<Migrator.Batch> batches, long baselineP99Nanos, long limitNanos, boolean fixed) {
    if (batches.isEmpty()) {
      return "no batches";
    }
    List<Long> sizes = batches.stream().map(b -> (long) b.size()).toList();
    long restNanos = batches.stream().mapToLong(Migrator.Batch::restNanos).sum();
    long workNanos = batches.stream().mapToLong(Migrator.Batch::nanos).sum();
    long rested = batches.stream().filter(b -> b.restNanos() > 0).count();
    return String.format(
        Locale.ROOT,
        "%s; batch sizes min=%.0f p10=%.0f median=%.0f p90=%.0f max=%.0f; batches rested after"
            + " %d of %d, %.0f ms of rest against %.0f ms of batches (duty %.0f%%, min %.0f%%);"
            + " probe p99 before %s, limit %s",
        fixed ? "fixed" : "adaptive",
        Percentiles.of(sizes, 0),
        Percentiles.of(sizes, 0.10),
        Percentiles.of(sizes, 0.50),
        Percentiles.of(sizes, 0.90),
        Percentiles.of(sizes, 1.0),
        rested,
        batches.size(),
        restNanos / 1e6,
        workNanos / 1e6,
        100.0 * workNanos / (workNanos + restNanos),
        100 * batches.stream().mapToDouble(Migrator.Batch::duty).min().orElse(1),
        baselineP99Nanos == 0
            ? "none"
            : String.format(Locale.ROOT, "%.2f ms", baselineP99Nanos / 1e6),
        limitNanos == 0 || limitNanos == Long.MAX_VALUE
            ? "none"
            : String.format(Locale.ROOT, "%.2f ms", limitNanos / 1e6));
  }

  /** About 20 batches spread over the run: size, duration and the rest after it. */
  static String trace(List<Migrator.Batch> batches) {
    List<String> points = new ArrayList<>();
    int step = Math.max(1, batches.size() / 20);
    for (int i = 0; i < batches.size(); i += step) {
      Migrator.Batch b = batches.get(i);
      points.add(
          String.format(
              Locale.ROOT,
              "#%d %d@%.1f+%.1f",
              i + 1,
              b.size(),
              b.nanos() / 1e6,
              b.restNanos() / 1e6));
    }
    return String.join(" ", points);
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  // --- helpers -----------------------------------------------------------------------------------

  static Connection connect(String url, String applicationName) throws SQLException {
    Properties props = new Properties();
    props.setProperty("ApplicationName", applicationName);
    return DriverManager.getConnection(url, props);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String queryString(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long queryLong(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "backfill: " + format + "%n", args);
  }
}
