package dev.sluice.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends GET requests at a fixed rate (open model: requests go out on schedule whether or not
 * earlier ones answered, as real users do) and counts what came back: a failure is anything but
 * 200, including connection errors and timeouts. Counts which version answered each request.
 */
public final class LoadGenerator implements AutoCloseable {

  private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"");

  private final URI target;
  private final int requestsPerSecond;
  private final HttpClient http;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "load-generator");
            t.setDaemon(true);
            return t;
          });
  private final LongAdder sent = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicLong inFlight = new AtomicLong();
  private final Map<String, LongAdder> versions = new ConcurrentHashMap<>();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
  private volatile long startedNanos;
  private volatile long stoppedNanos;

  public LoadGenerator(URI target, int requestsPerSecond) {
    this.target = target;
    this.requestsPerSecond = requestsPerSecond;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  /** Starts sending; returns at once. */
  public LoadGenerator start() {
    startedNanos = System.nanoTime();
    long periodMicros = 1_000_000L / requestsPerSecond;
    ticker.scheduleAtFixedRate(this::fire, 0, periodMicros, TimeUnit.MICROSECONDS);
    return this;
  }

  private void fire() {
    sent.increment();
    inFlight.incrementAndGet();
    long begin = System.nanoTime();
    HttpRequest request =
        HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).GET().build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, error) -> {
              latenciesMicros.add((System.nanoTime() - begin) / 1000);
              if (error != null) {
                fail("error: " + error);
              } else if (response.statusCode() != 200) {
                fail("status " + response.statusCode() + ": " + abbreviate(response.body()));
              } else {
                ok.increment();
                Matcher m = VERSION.matcher(response.body());
                versions
                    .computeIfAbsent(m.find() ? m.group(1) : "?", v -> new LongAdder())
                    .increment();
              }
              if (inFlight.decrementAndGet() == 0) {
                synchronized (inFlight) {
                  inFlight.notifyAll();
                }
              }
            });
  }

  private void fail(String why) {
    failed.increment();
    if (failures.size() < 20) {
      failures.add(why);
    }
  }

  private static String abbreviate(String body) {
    return body == null || body.length() <= 120 ? body : body.substring(0, 120) + "…";
  }

  /** Counts so far, while running. */
  public Report snapshot() {
    long end = stoppedNanos != 0 ? stoppedNanos : System.nanoTime();
    Map<String, Long> byVersion = new TreeMap<>();
    versions.forEach((v, n) -> byVersion.put(v, n.sum()));
    List<Long> sorted;
    synchronized (latenciesMicros) {
      sorted = new ArrayList<>(latenciesMicros);
    }
    Collections.sort(sorted);
    long p99 =
        sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * 0.99));
    return new Report(
        sent.sum(),
        ok.sum(),
        failed.sum(),
        byVersion,
        List.copyOf(failures),
        (end - startedNanos) / 1e9,
        p99 / 1000.0);
  }

  /**
   * Stops sending and waits (up to 15 s) for the requests in flight, so every request sent is
   * counted as answered or failed.
   */
  public Report stop() {
    ticker.shutdownNow();
    stoppedNanos = System.nanoTime();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    synchronized (inFlight) {
      long left;
      while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(inFlight, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return snapshot();
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }

  /**
   * What the generator saw.
   *
   * @param failures up to 20 examples of what failed
   * @param p99Millis 99th percentile of response times
   */
  public record Report(
      long sent,
      long ok,
      long failed,
      Map<String, Long> byVersion,
      List<String> failures,
      double seconds,
      double p99Millis) {

    public double rate() {
      return seconds <= 0 ? 0 : sent / seconds;
    }
  }
}
