package dev.sluice.sampleapp;

import dev.openfeature.sdk.Client;
import dev.sluice.dualwrite.DualWriteRepository;
import dev.sluice.dualwrite.Phase;
import dev.sluice.dualwrite.Store;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A dual-write example: user profiles moving from a legacy store to a new one, through {@link
 * DualWriteRepository} following the flag {@value #FLAG} (without flags: the legacy store only).
 * {@code GET /profiles/ID}, {@code PUT /profiles/ID?value=V}; {@code &only=legacy|new} writes one
 * store behind the repository's back — how a test (or a buggy job) makes them differ. The stores
 * live in memory, or in two PostgreSQL databases ({@code --profiles-legacy-db}, {@code
 * --profiles-new-db}).
 */
final class Profiles implements AutoCloseable {

  static final String FLAG = "profiles-store";
  static final String MIGRATION = "profiles";

  /** A store in memory: stands in for a table or a service of the app's. */
  static final class MemoryStore implements Store<String, String> {
    final Map<String, String> rows = new ConcurrentHashMap<>();

    @Override
    public Optional<String> read(String key) {
      return Optional.ofNullable(rows.get(key));
    }

    @Override
    public void write(String key, String value) {
      rows.put(key, value);
    }
  }

  private final Store<String, String> legacy;
  private final Store<String, String> fresh;
  private final ThreadPoolExecutor comparer =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(1000),
          r -> {
            Thread t = new Thread(r, "profiles-comparer");
            t.setDaemon(true);
            return t;
          });
  private final Supplier<Phase> phase;
  private final DualWriteRepository<String, String> repository;

  Profiles(Client flags, SampleAppConfig.Stores stores) throws SQLException {
    if (stores.inMemory()) {
      this.legacy = new MemoryStore();
      this.fresh = new MemoryStore();
    } else {
      JdbcStore old = new JdbcStore(stores.legacyUrl());
      try {
        this.fresh = new JdbcStore(stores.newUrl());
      } catch (SQLException | RuntimeException e) {
        old.close();
        throw e;
      }
      this.legacy = old;
    }
    this.phase = flags == null ? () -> Phase.OLD_ONLY : DualWriteRepository.phaseFlag(flags, FLAG);
    this.repository =
        DualWriteRepository.<String, String>builder(MIGRATION)
            .oldStore(legacy)
            .newStore(fresh)
            .phase(phase)
            .comparer(comparer)
            .build();
  }

  Map<String, Object> read(String id) throws Exception {
    Optional<String> value = repository.read(id);
    if (value.isEmpty()) {
      return null;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("value", value.get());
    body.put("phase", phase.get().variant());
    return body;
  }

  void write(String id, String value, String only) throws Exception {
    if ("legacy".equals(only)) {
      legacy.write(id, value);
    } else if ("new".equals(only)) {
      fresh.write(id, value);
    } else {
      repository.write(id, value);
    }
  }

  String metricsText() {
    return repository.metricsText();
  }

  @Override
  public void close() {
    comparer.shutdownNow();
    for (Store<String, String> store : List.of(legacy, fresh)) {
      if (store instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception ignored) {
          // shutting down
        }
      }
    }
  }
}
