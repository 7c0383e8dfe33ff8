package dev.sluice.api.flags;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-polls on the flag snapshot without holding a server thread each: a waiting request is parked
 * as an {@link AsyncResponse}, and one thread looks at the set's revision (one indexed row in the
 * ledger, so every API replica sees changes made through any other) every {@code interval} while
 * anyone waits, answering everyone whose revision moved with the new snapshot and everyone whose
 * time ran out with 304. A thousand SDKs waiting cost a thousand entries in a queue, not a thousand
 * Jetty threads.
 */
public final class SnapshotWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotWatcher.class);

  private record Waiter(long known, long deadlineNanos, AsyncResponse response) {}

  private final LongSupplier revision;
  private final Supplier<FlagService.Snapshot> snapshot;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService ticker;
  private volatile boolean closed;

  public SnapshotWatcher(
      LongSupplier revision, Supplier<FlagService.Snapshot> snapshot, Duration interval) {
    this.revision = revision;
    this.snapshot = snapshot;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-flag-snapshot-watcher");
              t.setDaemon(true);
              return t;
            });
    long millis = interval.toMillis();
    ticker.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Parks {@code response} until the revision is no longer {@code known} or {@code timeout}. */
  public void await(long known, Duration timeout, AsyncResponse response) {
    if (closed) {
      response.resume(unchanged(known)); // shutting down: ask again (elsewhere)
      return;
    }
    waiters.add(new Waiter(known, System.nanoTime() + timeout.toNanos(), response));
    if (closed) {
      close(); // raced with close(): answer it too
    }
  }

  /** Requests parked now. */
  public int waiting() {
    return waiters.size();
  }

  /** The answer for a client that knows {@code known} (null: knows nothing). */
  public static Response answer(FlagService.Snapshot s, Long known) {
    EntityTag etag = new EntityTag(Long.toString(s.revision()));
    if (known != null && known == s.revision()) {
      return Response.notModified(etag).build();
    }
    return Response.ok(s.document(), MediaType.APPLICATION_JSON_TYPE).tag(etag).build();
  }

  void tick() {
    if (waiters.isEmpty()) {
      return;
    }
    try {
      long now = revision.getAsLong();
      FlagService.Snapshot current = null;
      long nanos = System.nanoTime();
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.response().isDone()) {
          it.remove(); // the client went away
        } else if (w.known() != now) {
          if (current == null) {
            current = snapshot.get();
          }
          it.remove();
          w.response().resume(answer(current, w.known()));
        } else if (nanos - w.deadlineNanos() >= 0) {
          it.remove();
          w.response().resume(unchanged(w.known()));
        }
      }
    } catch (RuntimeException e) {
      // The ledger is unreachable for a moment: the waiters wait on; whoever's time is up hears
      // "unchanged" and asks again, as the SDK would after any timeout.
      LOG.warn("flag snapshot watcher could not read the revision: {}", e.toString());
      long nanos = System.nanoTime();
      waiters.removeIf(
          w -> {
            if (nanos - w.deadlineNanos() < 0) {
              return false;
            }
            w.response().resume(unchanged(w.known()));
            return true;
          });
    }
  }

  private static Response unchanged(long known) {
    return Response.notModified(new EntityTag(Long.toString(known))).build();
  }

  /**
   * Stops watching; whoever still waits is told nothing changed, so their SDKs ask again. Called
   * when the server begins to stop, so parked requests do not hold up its graceful shutdown.
   */
  @Override
  public void close() {
    closed = true;
    ticker.shutdownNow();
    for (Waiter w; (w = waiters.poll()) != null; ) {
      w.response().resume(unchanged(w.known()));
    }
  }
}
