package dev.sluice.sampleapp;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.flags.openfeature.SluiceProvider;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo target service Sluice deploys: a tiny JDK-only HTTP server whose health, error rate and
 * latency depend on its version (see {@link Behavior}).
 *
 * <p>Run it with {@code java -jar sample-app.jar --port N --version V [--target ID] [--behavior
 * FILE]}; it prints {@code sample-app <version> listening on <port>} once ready. On SIGTERM it
 * drains: {@code /health} answers 503 {@code "draining"}, in-flight requests finish, and the
 * process exits with status 0.
 *
 * <p>Tests start it in-process with {@link #start(SampleAppConfig)} and stop it with {@link
 * #close()}, which drains the same way.
 */
public final class SampleApp implements AutoCloseable {

  /**
   * Request threads. Most of a slow version's time is spent sleeping, so threads are cheap; with
   * too few, a version answering in 700 ms at 60 requests/s per server queues its health checks
   * behind user requests until HAProxy's checks time out and the whole pool goes DOWN — a failure
   * of the test fleet, not of the version under test.
   */
  private static final int WORKERS = 256;

  static {
    // The JDK server writes headers and body separately; with Nagle's algorithm on, the body then
    // waits for the client's delayed ACK and every keep-alive request takes ~40 ms. The server
    // reads this property once, when its first instance is created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final SampleAppConfig config;
  private final HttpServer server;
  private final ThreadPoolExecutor pool;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object idle = new Object();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean draining;

  private final Checkout checkout;
  private final Profiles profiles;

  private SampleApp(
      SampleAppConfig config,
      HttpServer server,
      ThreadPoolExecutor pool,
      Checkout checkout,
      Profiles profiles) {
    this.config = config;
    this.server = server;
    this.pool = pool;
    this.checkout = checkout;
    this.profiles = profiles;
  }

  /**
   * Starts an instance and returns once it accepts connections (after the version's startup delay,
   * if it has one).
   *
   * @throws IllegalStateException when the version is configured to crash on start
   * @throws IOException when the port cannot be bound
   */
  public static SampleApp start(SampleAppConfig config) throws IOException {
    Checkout checkout = Checkout.fromEnvironment();
    try {
      return start(config, checkout);
    } catch (IOException | RuntimeException e) {
      checkout.close();
      throw e;
    }
  }

  /**
   * As {@link #start(SampleAppConfig)}, with flags from the Sluice API at {@code flagsUrl} (ready
   * before this returns) instead of the environment's.
   */
  public static SampleApp start(SampleAppConfig config, String flagsUrl) throws IOException {
    Checkout checkout =
        Checkout.with(SluiceProvider.builder(flagsUrl).initTimeout(Duration.ofSeconds(5)).build());
    try {
      return start(config, checkout);
    } catch (IOException | RuntimeException e) {
      checkout.close();
      throw e;
    }
  }

  /** As {@link #start(SampleAppConfig)}, with the checkout's flags from {@code checkout}. */
  static SampleApp start(SampleAppConfig config, Checkout checkout) throws IOException {
    Behavior behavior = config.behavior();
    if (behavior.crashOnStart()) {
      throw new IllegalStateException(
          "version " + config.version() + " is configured to crash on start (crashOnStart=true)");
    }
    if (behavior.startupDelayMs() > 0) {
      // Stands in for a slow initialisation (caches, migrations): the port stays closed meanwhile.
      try {
        Thread.sleep(behavior.startupDelayMs());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted during the startup delay");
      }
    }
    Profiles profiles;
    try {
      profiles = new Profiles(checkout.client(), config.profiles());
    } catch (SQLException e) {
      throw new IOException("the profiles stores cannot be reached: " + e.getMessage(), e);
    }
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            WORKERS,
            WORKERS,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new Thread(task, "sample-app-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 128);
    } catch (IOException e) {
      pool.shutdownNow();
      profiles.close();
      throw e;
    }
    SampleApp app = new SampleApp(config, server, pool, checkout, profiles);
    Endpoints endpoints =
        new Endpoints(
            config,
            new Metrics(),
            pool,
            () -> app.draining,
            app.inFlight::get,
            app.checkout,
            app.profiles);
    server.createContext(
        "/",
        exchange -> {
          app.inFlight.incrementAndGet();
          try {
            endpoints.handle(exchange);
          } finally {
            app.requestDone();
          }
        });
    server.setExecutor(pool);
    server.start();
    return app;
  }

  /** The port this instance listens on (the chosen one when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  public SampleAppConfig config() {
    return config;
  }

  /** True once shutdown has begun: {@code /health} then answers 503 "draining". */
  public boolean draining() {
    return draining;
  }

  /**
   * Shuts down gracefully: reports "draining" on {@code /health}, keeps serving for the drain
   * delay, waits up to the shutdown timeout for in-flight requests, then stops listening.
   * Idempotent; a second caller waits for the first to finish.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitClosed();
      return;
    }
    draining = true;
    try {
      sleep(config.drainDelay());
      awaitIdle(config.shutdownTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.stop(0);
      pool.shutdownNow();
      checkout.close();
      profiles.close();
      closed.countDown();
    }
  }

  /** Requests being served right now. */
  int inFlight() {
    return inFlight.get();
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClosed() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void requestDone() {
    if (inFlight.decrementAndGet() == 0) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  private void awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (inFlight.get() > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return;
        }
        idle.wait(left);
      }
    }
  }

  private static void sleep(Duration duration) throws InterruptedException {
    if (!duration.isZero() && !duration.isNegative()) {
      Thread.sleep(duration.toMillis());
    }
  }

  /** Command-line entry point; see the class comment. */
  public static void main(String[] args) {
    if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
      System.out.println(SampleAppConfig.USAGE);
      return;
    }
    SampleAppConfig config;
    try {
      config = SampleAppConfig.parse(args);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("sample-app: " + e.getMessage());
      System.err.println(SampleAppConfig.USAGE);
      System.exit(2);
      return;
    }
    // The hook goes in before the server starts: a SIGTERM that lands between binding the port
    // and registering a hook would otherwise end the JVM without a graceful stop.
    AtomicReference<SampleApp> running = new AtomicReference<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  SampleApp app = running.get();
                  if (app != null) {
                    app.close();
                  }
                  System.out.println("sample-app " + config.version() + " stopped");
                  System.out.flush();
                  // The JVM reports a SIGTERM as exit status 143 even after a clean shutdown;
                  // a graceful stop is a success, so say so to whoever supervises the process.
                  Runtime.getRuntime().halt(0);
                },
                "sample-app-shutdown"));
    SampleApp app;
    try {
      app = start(config);
    } catch (BindException e) {
      System.err.println(
          "sample-app "
              + config.version()
              + ": cannot listen on port "
              + config.port()
              + ": "
              + e.getMessage());
      System.err.flush();
      // halt, not exit: exit would run the shutdown hook, which reports a graceful stop.
      Runtime.getRuntime().halt(1);
      return;
    } catch (IOException | RuntimeException e) {
      System.err.println("sample-app " + config.version() + ": " + e.getMessage());
      System.err.flush();
      Runtime.getRuntime().halt(1);
      return;
    }
    running.set(app);
    System.out.println("sample-app " + config.version() + " listening on " + app.port());
    System.out.flush();
    app.awaitClosed();
  }
}
