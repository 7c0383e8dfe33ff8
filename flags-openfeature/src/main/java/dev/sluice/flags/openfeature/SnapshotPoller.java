package dev.sluice.flags.openfeature;

import dev.sluice.flags.FlagDefinitionException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link Snapshot} fresh from Sluice's {@code GET /api/v1/flags/snapshot} on one daemon
 * thread: a long-poll ({@code waitForChange=true} with {@code If-None-Match}) while Sluice answers,
 * plain ETag polls every {@code pollInterval} after a failure until it answers again. It never
 * issues requests more often than {@code pollInterval} unless the last one brought a change, so a
 * server that ignores {@code waitForChange} is polled, not hammered.
 *
 * <p>What it learns goes to {@link Listener}, always from the polling thread.
 */
final class SnapshotPoller {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPoller.class);

  /** What the poller reports. Called on the polling thread, one call at a time. */
  interface Listener {
    /** A snapshot that compiled and differs from the last one ({@code previous} null at first). */
    void loaded(Snapshot previous, Snapshot next);

    /** Sluice has not answered for longer than {@code staleAfter}. */
    void stale(String message);

    /** Sluice answers again after {@link #stale}. */
    void recovered();
  }

  /** The settings, validated by the provider's builder. */
  record Settings(
      URI snapshotUri,
      Supplier<String> token,
      Duration pollInterval,
      Duration longPollTimeout,
      Duration staleAfter,
      Duration requestTimeout) {}

  private final HttpClient http;
  private final Settings settings;
  private final Listener listener;
  private final Thread thread;

  private volatile boolean running = true;
  private volatile CompletableFuture<HttpResponse<String>> inFlight;

  // Owned by the polling thread.
  private Snapshot current;
  private String seenEtag; // the last revision fetched, even one that did not compile
  private boolean longPoll = true;
  private boolean stale;
  private long lastContact;

  SnapshotPoller(HttpClient http, Settings settings, Listener listener) {
    this.http = http;
    this.settings = settings;
    this.listener = listener;
    this.thread = new Thread(this::run, "sluice-flags-poller");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Stops polling: interrupts the request in flight and waits up to {@code wait} for the thread.
   */
  void stop(Duration wait) {
    running = false;
    thread.interrupt();
    CompletableFuture<?> request = inFlight;
    if (request != null) {
      request.cancel(true);
    }
    if (thread == Thread.currentThread()) {
      return;
    }
    try {
      thread.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isAlive() {
    return thread.isAlive();
  }

  private void run() {
    lastContact = System.nanoTime();
    while (running) {
      long started = System.nanoTime();
      boolean changed = false;
      boolean waited = longPoll && seenEtag != null;
      try {
        HttpResponse<String> response = send(request(waited));
        int status = response.statusCode();
        if (status == 200) {
          contact();
          changed = accept(response);
        } else if (status == 304) {
          contact();
        } else {
          failed("HTTP " + status + " from " + settings.snapshotUri(), null);
        }
      } catch (InterruptedException e) {
        if (!running) {
          return;
        }
        Thread.interrupted(); // a stray interrupt: carry on
      } catch (IOException | RuntimeException e) {
        if (!running) {
          return;
        }
        failed("cannot reach " + settings.snapshotUri() + ": " + e, e);
      }
      if (!changed && running) {
        pauseUntil(started + settings.pollInterval().toNanos());
      }
    }
  }

  private HttpRequest request(boolean waitForChange) {
    URI uri = settings.snapshotUri();
    Duration timeout = settings.requestTimeout();
    if (waitForChange) {
      uri =
          URI.create(uri + "?waitForChange=true&timeout=" + settings.longPollTimeout().toSeconds());
      timeout = timeout.plus(settings.longPollTimeout());
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
    if (seenEtag != null) {
      request.header("If-None-Match", seenEtag);
    }
    String token = settings.token().get();
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    return request.build();
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<String>> future =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    inFlight = future;
    try {
      if (!running) {
        throw new InterruptedException("stopped");
      }
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause);
    } finally {
      inFlight = null;
    }
  }

  /** Applies a 200; true when it brought a new, valid document. */
  private boolean accept(HttpResponse<String> response) {
    String etag = response.headers().firstValue("ETag").orElse(null);
    if (etag != null && etag.equals(seenEtag)) {
      return false; // the server ignored If-None-Match
    }
    seenEtag = etag;
    Snapshot next;
    try {
      next = Snapshot.parse(etag, response.body());
    } catch (FlagDefinitionException e) {
      LOG.error(
          "Ignoring flag snapshot {} from {}; still serving {}: {}",
          etag,
          settings.snapshotUri(),
          current == null ? "nothing" : current.etag(),
          e.getMessage());
      return false;
    }
    if (next.sameDocument(current)) {
      current = next;
      return false;
    }
    Snapshot previous = current;
    current = next;
    listener.loaded(previous, next);
    return true;
  }

  private void contact() {
    lastContact = System.nanoTime();
    longPoll = true;
    if (stale) {
      stale = false;
      LOG.info("Sluice at {} answers again", settings.snapshotUri());
      listener.recovered();
    }
  }

  private void failed(String message, Exception cause) {
    longPoll = false;
    long silentFor = System.nanoTime() - lastContact;
    if (!stale && current != null && silentFor >= settings.staleAfter().toNanos()) {
      stale = true;
      String detail =
          message
              + "; serving revision "
              + current.etag()
              + " for "
              + (silentFor / 1_000_000)
              + " ms";
      LOG.warn("Flags are stale: {}", detail);
      listener.stale(detail);
    } else {
      LOG.debug("Flag snapshot poll failed: {}", message, cause);
    }
  }

  private void pauseUntil(long deadline) {
    long nanos = deadline - System.nanoTime();
    if (nanos <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      if (running) {
        Thread.interrupted();
      }
    }
  }
}
