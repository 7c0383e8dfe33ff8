package dev.sluice.sampleapp;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * How one version of the sample app behaves: this is how a demo deploys a "bad" version.
 *
 * <p>A behaviour file is a {@code .properties} file with keys {@code <version>.<key>}:
 *
 * <pre>
 * 3.0.0.healthy=false        # /health answers 503 "failing"
 * 3.0.0.errorRate=0.25       # a quarter of GET / answer 500
 * 3.0.0.latencyMs=200        # extra latency on GET /
 * 2.0.0.startupDelayMs=500   # the port opens only after this delay
 * 4.0.0.crashOnStart=true    # the process exits with status 1 instead of starting
 * </pre>
 *
 * A version without keys behaves well ({@link #WELL}).
 *
 * @param healthy whether the deep health check passes
 * @param errorRate share of {@code GET /} requests answered with 500, in [0, 1]
 * @param latencyMs extra latency added to every {@code GET /}
 * @param startupDelayMs how long the app takes to start before it listens
 * @param crashOnStart the version refuses to start at all
 */
public record Behavior(
    boolean healthy, double errorRate, long latencyMs, long startupDelayMs, boolean crashOnStart) {

  /** A version that does everything right. */
  public static final Behavior WELL = new Behavior(true, 0, 0, 0, false);

  private static final Set<String> KEYS =
      Set.of("healthy", "errorRate", "latencyMs", "startupDelayMs", "crashOnStart");

  public Behavior {
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException("errorRate must be between 0 and 1, got " + errorRate);
    }
    if (latencyMs < 0 || startupDelayMs < 0) {
      throw new IllegalArgumentException("latencyMs and startupDelayMs must not be negative");
    }
  }

  /**
   * Reads the behaviour of {@code version} from a behaviour file.
   *
   * @throws IllegalArgumentException when the file has an unknown key or a malformed value, so a
   *     typo fails loudly instead of deploying a version that silently behaves well
   */
  public static Behavior load(Path file, String version) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    return fromProperties(properties, version);
  }

  /** The behaviour of {@code version} among {@code properties}; see {@link #load}. */
  public static Behavior fromProperties(Properties properties, String version) {
    for (String name : properties.stringPropertyNames()) {
      // Versions contain dots, keys never do: the key is what follows the last dot.
      int dot = name.lastIndexOf('.');
      if (dot <= 0 || !KEYS.contains(name.substring(dot + 1))) {
        throw new IllegalArgumentException(
            "unknown behaviour key '" + name + "', expected <version>.<one of " + KEYS + ">");
      }
    }
    String prefix = version + ".";
    return new Behavior(
        bool(properties, prefix + "healthy", true),
        number(properties, prefix + "errorRate", 0),
        (long) number(properties, prefix + "latencyMs", 0),
        (long) number(properties, prefix + "startupDelayMs", 0),
        bool(properties, prefix + "crashOnStart", false));
  }

  public Behavior withHealthy(boolean value) {
    return new Behavior(value, errorRate, latencyMs, startupDelayMs, crashOnStart);
  }

  public Behavior withErrorRate(double value) {
    return new Behavior(healthy, value, latencyMs, startupDelayMs, crashOnStart);
  }

  public Behavior withLatencyMs(long value) {
    return new Behavior(healthy, errorRate, value, startupDelayMs, crashOnStart);
  }

  public Behavior withStartupDelayMs(long value) {
    return new Behavior(healthy, errorRate, latencyMs, value, crashOnStart);
  }

  private static boolean bool(Properties properties, String key, boolean fallback) {
    String value = properties.getProperty(key);
    if (value == null) {
      return fallback;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes" -> true;
      case "false", "no" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, got " + value);
    };
  }

  private static double number(Properties properties, String key, double fallback) {
    String value = properties.getProperty(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, got " + value, e);
    }
  }
}
