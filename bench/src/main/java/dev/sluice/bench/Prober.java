package dev.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request every millisecond, as steady as the machine allows: a few threads, each with its own
 * keep-alive connection, take turns (thread i sends at milliseconds i, i+k, i+2k, …). Unlike an
 * open-model load generator it never piles requests up when answers are slow, so what it measures
 * is the system, not its own queue. Records when {@code version} last answered.
 */
final class Prober implements AutoCloseable {

  private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"");
  private static final int THREADS = 4;

  private final URL url;
  private final String version;
  private final AtomicLong lastAnswer = new AtomicLong();
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  Prober(URI target, String version) throws IOException {
    this.url = target.toURL();
    this.version = version;
  }

  Prober start() {
    long start = System.nanoTime();
    for (int i = 0; i < THREADS; i++) {
      int offset = i;
      Thread thread = new Thread(() -> probe(start, offset), "prober-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    return this;
  }

  private void probe(long start, int offset) {
    for (long n = 0; running; n++) {
      long slot = start + TimeUnit.MILLISECONDS.toNanos(n * THREADS + offset);
      long wait = slot - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      sent.increment();
      try {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setConnectTimeout(2000);
        connection.setReadTimeout(5000);
        int status = connection.getResponseCode();
        String body;
        try (InputStream in =
            status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
          body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        long answered = System.nanoTime();
        if (status != 200) {
          failed.increment();
        }
        Matcher m = VERSION.matcher(body);
        if (m.find() && m.group(1).equals(version)) {
          lastAnswer.accumulateAndGet(answered, Math::max);
        }
      } catch (IOException e) {
        failed.increment();
      }
    }
  }

  /** {@link System#nanoTime()} of the last answer from the version, or 0 when none yet. */
  long lastAnswer() {
    return lastAnswer.get();
  }

  long sent() {
    return sent.sum();
  }

  long failed() {
    return failed.sum();
  }

  @Override
  public void close() {
    running = false;
    for (Thread thread : threads) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
