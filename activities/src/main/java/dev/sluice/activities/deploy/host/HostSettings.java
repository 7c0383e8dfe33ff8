package dev.sluice.activities.deploy.host;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The settings every deployer that runs {@link RemoteScript}s on hosts shares, whatever carries the
 * script there (SSH, SSM Run Command):
 *
 * <ul>
 *   <li>{@code commandTimeout} (default 3m, at most 8m): each command of the template
 *   <li>{@code stateDir}: where the host keeps each target's lock, marker and history (the default
 *       is the deployer's)
 *   <li>{@code outputLimit} (default 2048): bytes of a deploy's output kept in its event
 *   <li>{@code redact}: regular expressions whose matches are masked in that output ({@code
 *       password=…}-like pairs always are)
 *   <li>{@code template}: what runs on the host: {@code {"type": "docker", …}}, {@code "systemd"}
 *       or {@code "custom"} ({@link DockerTemplate}, {@link SystemdTemplate}, {@link
 *       CustomTemplate})
 * </ul>
 */
public record HostSettings(
    Duration commandTimeout,
    String stateDir,
    int outputLimit,
    List<Pattern> redact,
    HostTemplate template) {

  /** The keys read here; a deployer adds its own. */
  public static final Set<String> KEYS =
      Set.of("commandTimeout", "stateDir", "outputLimit", "redact", "template");

  /** {@code own} and {@link #KEYS}: every key a deployer reads. */
  public static Set<String> keysWith(String... own) {
    Set<String> keys = new HashSet<>(KEYS);
    keys.addAll(List.of(own));
    return Set.copyOf(keys);
  }

  /** A deploy step of a workflow has 10 minutes; one command may not take most of them. */
  public static final Duration MAX_COMMAND_TIMEOUT = Duration.ofMinutes(8);

  public HostSettings {
    redact = List.copyOf(redact);
  }

  /**
   * Reads the shared settings; the messages name {@code settings}' owner and the setting.
   *
   * @param defaultStateDir {@code stateDir} when the settings give none
   * @param maxOutputLimit the largest {@code outputLimit} the deployer can carry back
   * @throws ConfigurationException when one is malformed
   */
  public static HostSettings from(Settings settings, String defaultStateDir, int maxOutputLimit) {
    String owner = settings.owner();
    int outputLimit = settings.integer("outputLimit", Math.min(2048, maxOutputLimit));
    if (outputLimit < 0 || outputLimit > maxOutputLimit) {
      throw new ConfigurationException(
          owner + ": setting 'outputLimit' must be 0 to " + maxOutputLimit);
    }
    String stateDir = settings.string("stateDir", defaultStateDir);
    if (stateDir.isBlank()) {
      throw new ConfigurationException(owner + ": setting 'stateDir' must not be empty");
    }
    Duration commandTimeout = settings.duration("commandTimeout", Duration.ofMinutes(3));
    if (commandTimeout.compareTo(MAX_COMMAND_TIMEOUT) > 0 || commandTimeout.isNegative()) {
      throw new ConfigurationException(
          owner + ": setting 'commandTimeout' must be at most 8m (a deploy step has 10 minutes)");
    }
    return new HostSettings(
        commandTimeout, stateDir, outputLimit, patterns(settings), HostTemplate.from(settings));
  }

  private static List<Pattern> patterns(Settings settings) {
    List<Pattern> patterns = new ArrayList<>();
    for (String regex : settings.stringList("redact", List.of())) {
      try {
        patterns.add(Pattern.compile(regex));
      } catch (PatternSyntaxException e) {
        throw new ConfigurationException(
            settings.owner() + ": setting 'redact' holds an invalid pattern \"" + regex + "\"");
      }
    }
    return patterns;
  }
}
