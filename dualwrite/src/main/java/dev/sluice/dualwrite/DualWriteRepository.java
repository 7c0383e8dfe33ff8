package dev.sluice.dualwrite;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A repository over two stores during a migration: reads and writes go to the old store, the new
 * one, or both, as the migration's phase says, re-read on every call so the workflow's flag flips
 * take effect at once.
 *
 * <ul>
 *   <li>Writes: the store that is the truth in the phase first (its failure is the caller's
 *       failure); the other one after, its failure counted ({@code secondary_write_failures}) and
 *       logged but not thrown — the backfill and the comparison catch what it missed.
 *   <li>Comparison (shadow-read and read-new phases): the other store is read and compared on
 *       {@code comparer}, never on the request thread; a full comparer queue skips the comparison
 *       ({@code comparisons_skipped}) rather than slow the request.
 * </ul>
 *
 * <p>The counters are what the migration workflow watches: {@link #metricsText()} renders them in
 * Prometheus' text format for the application's {@code /metrics}.
 */
public final class DualWriteRepository<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(DualWriteRepository.class);

  private final String name;
  private final Store<K, V> oldStore;
  private final Store<K, V> newStore;
  private final Supplier<Phase> phase;
  private final BiPredicate<V, V> same;
  private final Executor comparer;

  private final LongAdder compared = new LongAdder();
  private final LongAdder mismatches = new LongAdder();
  private final LongAdder secondaryWriteFailures = new LongAdder();
  private final LongAdder comparisonsSkipped = new LongAdder();

  private DualWriteRepository(Builder<K, V> b) {
    this.name = Objects.requireNonNull(b.name, "name");
    this.oldStore = Objects.requireNonNull(b.oldStore, "oldStore");
    this.newStore = Objects.requireNonNull(b.newStore, "newStore");
    this.phase = Objects.requireNonNull(b.phase, "phase");
    this.same = b.same == null ? Objects::equals : b.same;
    this.comparer = Objects.requireNonNull(b.comparer, "comparer");
  }

  public static <K, V> Builder<K, V> builder(String name) {
    return new Builder<K, V>().name(name);
  }

  /**
   * The phase from the migration's flag (a string flag whose variants are {@link
   * Phase#variant()}s); {@code OLD_ONLY} when the flag is missing or serves something else.
   */
  public static Supplier<Phase> phaseFlag(Client flags, String flagKey) {
    ImmutableContext context = new ImmutableContext();
    return () -> {
      Phase p = Phase.ofVariant(flags.getStringValue(flagKey, "old-only", context));
      return p == null ? Phase.OLD_ONLY : p;
    };
  }

  public Optional<V> read(K key) throws Exception {
    Phase p = phase.get();
    Store<K, V> truth = p.readsNew() ? newStore : oldStore;
    Optional<V> value = truth.read(key);
    if (p.compares()) {
      Store<K, V> other = p.readsNew() ? oldStore : newStore;
      try {
        comparer.execute(() -> compare(key, value, other, p));
      } catch (RejectedExecutionException full) {
        comparisonsSkipped.increment();
      }
    }
    return value;
  }

  public void write(K key, V value) throws Exception {
    Phase p = phase.get();
    boolean newFirst = p.readsNew();
    Store<K, V> first = newFirst ? newStore : oldStore;
    Store<K, V> second = newFirst ? oldStore : newStore;
    boolean writeFirst = newFirst ? p.writesNew() : p.writesOld();
    boolean writeSecond = newFirst ? p.writesOld() : p.writesNew();
    if (writeFirst) {
      first.write(key, value);
    }
    if (writeSecond) {
      try {
        second.write(key, value);
      } catch (Exception e) {
        secondaryWriteFailures.increment();
        LOG.warn(
            "dual-write {}: the {} store missed a write of {}: {}",
            name,
            newFirst ? "old" : "new",
            key,
            e.toString());
      }
    }
  }

  private void compare(K key, Optional<V> served, Store<K, V> other, Phase p) {
    Optional<V> shadow;
    try {
      shadow = other.read(key);
    } catch (Exception e) {
      compared.increment();
      mismatches.increment();
      LOG.warn("dual-write {}: shadow read of {} failed: {}", name, key, e.toString());
      return;
    }
    compared.increment();
    boolean equal =
        served.isPresent() == shadow.isPresent()
            && (served.isEmpty() || same.test(served.get(), shadow.get()));
    if (!equal) {
      mismatches.increment();
      LOG.info("dual-write {} ({}): {} differs between the stores", name, p.variant(), key);
    }
  }

  public long compared() {
    return compared.sum();
  }

  public long mismatches() {
    return mismatches.sum();
  }

  public long secondaryWriteFailures() {
    return secondaryWriteFailures.sum();
  }

  public long comparisonsSkipped() {
    return comparisonsSkipped.sum();
  }

  /** The counters in Prometheus' text exposition format, labelled with the migration's name. */
  public String metricsText() {
    String label = "{migration=\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    StringBuilder out = new StringBuilder();
    counter(
        out,
        "sluice_dualwrite_reads_compared_total",
        "reads compared between the stores",
        label,
        compared());
    counter(
        out,
        "sluice_dualwrite_mismatches_total",
        "compared reads that differed",
        label,
        mismatches());
    counter(
        out,
        "sluice_dualwrite_secondary_write_failures_total",
        "writes the second store missed",
        label,
        secondaryWriteFailures());
    counter(
        out,
        "sluice_dualwrite_comparisons_skipped_total",
        "comparisons skipped because the comparer was busy",
        label,
        comparisonsSkipped());
    return out.toString();
  }

  private static void counter(
      StringBuilder out, String metric, String help, String label, long value) {
    out.append("# HELP ").append(metric).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(metric).append(" counter\n");
    out.append(metric).append(label).append(' ').append(value).append('\n');
  }

  /** Builds a repository; {@code comparer} should be bounded (a full queue skips comparisons). */
  public static final class Builder<K, V> {
    private String name;
    private Store<K, V> oldStore;
    private Store<K, V> newStore;
    private Supplier<Phase> phase;
    private BiPredicate<V, V> same;
    private Executor comparer;

    public Builder<K, V> name(String name) {
      this.name = name;
      return this;
    }

    public Builder<K, V> oldStore(Store<K, V> store) {
      this.oldStore = store;
      return this;
    }

    public Builder<K, V> newStore(Store<K, V> store) {
      this.newStore = store;
      return this;
    }

    public Builder<K, V> phase(Supplier<Phase> phase) {
      this.phase = phase;
      return this;
    }

    /** How two values are compared; default {@code equals}. */
    public Builder<K, V> same(BiPredicate<V, V> same) {
      this.same = same;
      return this;
    }

    public Builder<K, V> comparer(Executor comparer) {
      this.comparer = comparer;
      return this;
    }

    public DualWriteRepository<K, V> build() {
      return new DualWriteRepository<>(this);
    }
  }
}
