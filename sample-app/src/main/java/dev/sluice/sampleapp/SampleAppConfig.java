package dev.sluice.sampleapp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything a sample-app instance needs to start.
 *
 * @param bindAddress address to listen on ({@code 0.0.0.0} for all interfaces)
 * @param port port to listen on; 0 picks a free one
 * @param version the version this instance claims to be
 * @param target the target id this instance runs as, reported by its endpoints and metrics
 * @param behavior how this version behaves
 * @param drainDelay how long the instance keeps serving (health "draining") after a shutdown
 *     request before it stops accepting connections
 * @param shutdownTimeout longest wait for in-flight requests during shutdown
 * @param profiles where {@code /profiles} keeps its two stores; {@link Stores#MEMORY} by default
 */
public record SampleAppConfig(
    String bindAddress,
    int port,
    String version,
    String target,
    Behavior behavior,
    Duration drainDelay,
    Duration shutdownTimeout,
    Stores profiles) {

  static final String USAGE =
      "usage: java -jar sample-app.jar --port N --version V [--target ID] [--behavior FILE]\n"
          + "         [--error-rate 0.2] [--latency-ms 50] [--unhealthy] [--startup-delay-ms N]\n"
          + "         [--host ADDRESS] [--drain-delay-ms N] [--shutdown-timeout-ms N]\n"
          + "         [--profiles-legacy-db JDBC-URL --profiles-new-db JDBC-URL]";

  /**
   * The legacy and the new store of {@code /profiles}: PostgreSQL JDBC URLs (credentials in the
   * URL), or both null for two stores in memory.
   */
  public record Stores(String legacyUrl, String newUrl) {
    public static final Stores MEMORY = new Stores(null, null);

    public Stores {
      if ((legacyUrl == null) != (newUrl == null)) {
        throw new IllegalArgumentException(
            "--profiles-legacy-db and --profiles-new-db go together: give both or neither");
      }
    }

    public boolean inMemory() {
      return legacyUrl == null;
    }

    @Override
    public String toString() {
      return inMemory() ? "in memory" : "two PostgreSQL databases"; // URLs carry passwords
    }
  }

  /** Everything but the stores (in memory). */
  public SampleAppConfig(
      String bindAddress,
      int port,
      String version,
      String target,
      Behavior behavior,
      Duration drainDelay,
      Duration shutdownTimeout) {
    this(bindAddress, port, version, target, behavior, drainDelay, shutdownTimeout, null);
  }

  public SampleAppConfig {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("a version is required");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    bindAddress = bindAddress == null ? "0.0.0.0" : bindAddress;
    target = target == null ? "local" : target;
    behavior = behavior == null ? Behavior.WELL : behavior;
    drainDelay = drainDelay == null ? Duration.ZERO : drainDelay;
    shutdownTimeout = shutdownTimeout == null ? Duration.ofSeconds(5) : shutdownTimeout;
    profiles = profiles == null ? Stores.MEMORY : profiles;
  }

  /** A well-behaved {@code version} on loopback, on any free port: the usual start of a test. */
  public static SampleAppConfig of(String version) {
    return new SampleAppConfig("127.0.0.1", 0, version, "local", Behavior.WELL, null, null);
  }

  public SampleAppConfig withPort(int value) {
    return new SampleAppConfig(
        bindAddress, value, version, target, behavior, drainDelay, shutdownTimeout, profiles);
  }

  public SampleAppConfig withTarget(String value) {
    return new SampleAppConfig(
        bindAddress, port, version, value, behavior, drainDelay, shutdownTimeout, profiles);
  }

  public SampleAppConfig withBehavior(Behavior value) {
    return new SampleAppConfig(
        bindAddress, port, version, target, value, drainDelay, shutdownTimeout, profiles);
  }

  public SampleAppConfig withDrainDelay(Duration value) {
    return new SampleAppConfig(
        bindAddress, port, version, target, behavior, value, shutdownTimeout, profiles);
  }

  public SampleAppConfig withProfiles(Stores value) {
    return new SampleAppConfig(
        bindAddress, port, version, target, behavior, drainDelay, shutdownTimeout, value);
  }

  /**
   * Reads the command line; see {@link #USAGE}. The behaviour file is read here, and the {@code
   * --error-rate}, {@code --latency-ms}, {@code --unhealthy} and {@code --startup-delay-ms}
   * overrides win over it.
   *
   * @throws IllegalArgumentException with a message fit for the user when the line is wrong
   */
  public static SampleAppConfig parse(String... args) throws IOException {
    Deque<String> rest = new ArrayDeque<>();
    for (String arg : args) {
      // Accept --key=value as well as --key value.
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        rest.add(arg.substring(0, eq));
        rest.add(arg.substring(eq + 1));
      } else {
        rest.add(arg);
      }
    }
    Integer port = null;
    String version = null;
    String target = null;
    String host = null;
    Path behaviorFile = null;
    Double errorRate = null;
    Long latencyMs = null;
    Long startupDelayMs = null;
    boolean unhealthy = false;
    Duration drainDelay = null;
    Duration shutdownTimeout = null;
    String legacyDb = null;
    String newDb = null;
    while (!rest.isEmpty()) {
      String option = rest.removeFirst();
      switch (option) {
        case "--port" -> port = (int) whole(option, value(option, rest));
        case "--version" -> version = value(option, rest);
        case "--target" -> target = value(option, rest);
        case "--host" -> host = value(option, rest);
        case "--behavior" -> behaviorFile = Path.of(value(option, rest));
        case "--error-rate" -> errorRate = decimal(option, value(option, rest));
        case "--latency-ms" -> latencyMs = whole(option, value(option, rest));
        case "--startup-delay-ms" -> startupDelayMs = whole(option, value(option, rest));
        case "--unhealthy" -> unhealthy = true;
        case "--drain-delay-ms" ->
            drainDelay = Duration.ofMillis(whole(option, value(option, rest)));
        case "--shutdown-timeout-ms" ->
            shutdownTimeout = Duration.ofMillis(whole(option, value(option, rest)));
        case "--profiles-legacy-db" -> legacyDb = value(option, rest);
        case "--profiles-new-db" -> newDb = value(option, rest);
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (port == null || version == null) {
      throw new IllegalArgumentException("--port and --version are required");
    }
    Behavior behavior = behaviorFile == null ? Behavior.WELL : Behavior.load(behaviorFile, version);
    if (errorRate != null) {
      behavior = behavior.withErrorRate(errorRate);
    }
    if (latencyMs != null) {
      behavior = behavior.withLatencyMs(latencyMs);
    }
    if (startupDelayMs != null) {
      behavior = behavior.withStartupDelayMs(startupDelayMs);
    }
    if (unhealthy) {
      behavior = behavior.withHealthy(false);
    }
    return new SampleAppConfig(
        host,
        port,
        version,
        target,
        behavior,
        drainDelay,
        shutdownTimeout,
        new Stores(legacyDb, newDb));
  }

  private static String value(String option, Deque<String> rest) {
    if (rest.isEmpty() || rest.peekFirst().startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return rest.removeFirst();
  }

  private static long whole(String option, String value) {
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed < 0) {
        throw new IllegalArgumentException(option + " must not be negative");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a whole number, got " + value, e);
    }
  }

  private static double decimal(String option, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number, got " + value, e);
    }
  }
}
