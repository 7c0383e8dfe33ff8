package dev.sluice.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The repository through every phase, with two map-backed stores standing in for the app's. */
class DualWriteRepositoryTest {

  /** A store the test can look into and make fail. */
  static final class MapStore implements Store<String, String> {
    final Map<String, String> rows = new ConcurrentHashMap<>();
    volatile boolean failing;
    volatile Thread lastReader;

    @Override
    public Optional<String> read(String key) {
      lastReader = Thread.currentThread();
      return Optional.ofNullable(rows.get(key));
    }

    @Override
    public void write(String key, String value) {
      if (failing) {
        throw new IllegalStateException("store down");
      }
      rows.put(key, value);
    }
  }

  final MapStore oldStore = new MapStore();
  final MapStore newStore = new MapStore();
  final AtomicReference<Phase> phase = new AtomicReference<>(Phase.OLD_ONLY);
  final ExecutorService comparer =
      new ThreadPoolExecutor(
          1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(100), r -> new Thread(r, "comparer"));

  DualWriteRepository<String, String> repo(Supplier<Phase> phases) {
    return DualWriteRepository.<String, String>builder("users_to_accounts")
        .oldStore(oldStore)
        .newStore(newStore)
        .phase(phases)
        .comparer(comparer)
        .build();
  }

  @AfterEach
  void stop() {
    comparer.shutdownNow();
  }

  @Test
  void eachPhaseWritesAndReadsTheStoresItNames() throws Exception {
    var repo = repo(phase::get);
    repo.write("a", "1");
    assertThat(oldStore.rows).containsEntry("a", "1");
    assertThat(newStore.rows).isEmpty();

    phase.set(Phase.DUAL_WRITE);
    repo.write("b", "2");
    assertThat(oldStore.rows).containsEntry("b", "2");
    assertThat(newStore.rows).containsEntry("b", "2");
    assertThat(repo.read("a")).contains("1");
    assertThat(repo.compared()).as("no comparison before shadow-read").isZero();

    phase.set(Phase.READ_NEW);
    newStore.rows.put("c", "new");
    oldStore.rows.put("c", "old");
    assertThat(repo.read("c")).as("the new store is the truth").contains("new");

    phase.set(Phase.NEW_ONLY);
    repo.write("d", "4");
    assertThat(newStore.rows).containsEntry("d", "4");
    assertThat(oldStore.rows).doesNotContainKey("d");
  }

  @Test
  void shadowReadsCompareOffTheRequestThreadAndCountMismatches() throws Exception {
    var repo = repo(phase::get);
    phase.set(Phase.SHADOW_READ);
    oldStore.rows.put("same", "x");
    newStore.rows.put("same", "x");
    oldStore.rows.put("differs", "x");
    newStore.rows.put("differs", "y");
    oldStore.rows.put("missing", "x");

    assertThat(repo.read("same")).contains("x");
    assertThat(repo.read("differs")).as("the old store answers").contains("x");
    assertThat(repo.read("missing")).contains("x");

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> repo.compared() == 3);
    assertThat(repo.mismatches()).isEqualTo(2);
    assertThat(newStore.lastReader.getName()).as("compared on the comparer").isEqualTo("comparer");
    assertThat(repo.metricsText())
        .contains("sluice_dualwrite_reads_compared_total{migration=\"users_to_accounts\"} 3")
        .contains("sluice_dualwrite_mismatches_total{migration=\"users_to_accounts\"} 2");
  }

  @Test
  void theSecondStoresFailureIsCountedTheFirstStoresIsThrown() throws Exception {
    var repo = repo(phase::get);
    phase.set(Phase.DUAL_WRITE);
    newStore.failing = true;
    repo.write("a", "1");
    assertThat(oldStore.rows).containsEntry("a", "1");
    assertThat(repo.secondaryWriteFailures()).isEqualTo(1);

    phase.set(Phase.READ_NEW);
    assertThatThrownBy(() -> repo.write("b", "2")).hasMessage("store down");
    assertThat(oldStore.rows).as("nothing written after the truth failed").doesNotContainKey("b");
  }

  @Test
  void thePhaseComesFromTheMigrationsFlagAndFlipsTakeEffectAtOnce() throws Exception {
    InMemoryProvider provider =
        new InMemoryProvider(
            Map.of(
                "users-migration",
                Flag.<String>builder()
                    .variant("dual-write", "dual-write")
                    .variant("read-new", "read-new")
                    .defaultVariant("dual-write")
                    .build()));
    OpenFeatureAPI.getInstance().setProviderAndWait("dualwrite-test", provider);
    var repo =
        repo(
            DualWriteRepository.phaseFlag(
                OpenFeatureAPI.getInstance().getClient("dualwrite-test"), "users-migration"));

    repo.write("a", "1");
    assertThat(newStore.rows).containsEntry("a", "1");
    assertThat(oldStore.rows).containsEntry("a", "1");

    provider.updateFlag(
        "users-migration",
        Flag.<String>builder()
            .variant("dual-write", "dual-write")
            .variant("read-new", "read-new")
            .defaultVariant("read-new")
            .build());
    newStore.rows.put("a", "from new");
    assertThat(repo.read("a")).contains("from new");
    assertThat(
            repo(DualWriteRepository.phaseFlag(
                    OpenFeatureAPI.getInstance().getClient("dualwrite-test"), "no-such-flag"))
                .read("a"))
        .as("no flag: the old store, as before any migration")
        .contains("1");
  }
}
