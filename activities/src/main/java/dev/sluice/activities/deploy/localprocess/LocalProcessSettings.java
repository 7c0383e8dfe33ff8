package dev.sluice.activities.deploy.localprocess;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings of the {@code local-process} deployer, read from its {@link ProviderRef}.
 *
 * <ul>
 *   <li>{@code workDir} (default {@code .sluice/fleet}): instance state, logs and the deployer log
 *   <li>{@code command} (list of strings): how to start one instance; placeholders {@code
 *       {version}}, {@code {port}}, {@code {host}}, {@code {target}}, {@code {workDir}}, {@code
 *       {instanceDir}}, {@code {sampleAppJar}}, {@code {behaviorFile}}, {@code {java}} (the running
 *       JVM's {@code java}). Default: run the sample app's jar on the target's host and port (it
 *       listens on that address only, not on every interface).
 *   <li>{@code sampleAppJar}: the sample app's jar, required when the command names it
 *   <li>{@code behaviorFile}: the sample app's per-version behaviour file; the default command
 *       passes it with {@code --behavior} when set
 *   <li>{@code env} (object): extra environment variables for the instance
 *   <li>{@code startTimeout} (default 20s): longest wait for the new instance to listen
 *   <li>{@code stopTimeout} (default 10s): longest wait for a graceful stop before SIGKILL
 *   <li>{@code detach} (default true): start instances in their own session ({@code setsid}) so a
 *       Ctrl-C or a dying worker's process group does not take the fleet down with it
 * </ul>
 *
 * Relative paths are resolved against the worker's working directory when the settings are read.
 */
public record LocalProcessSettings(
    Path workDir,
    List<String> command,
    Path sampleAppJar,
    Path behaviorFile,
    Map<String, String> env,
    Duration startTimeout,
    Duration stopTimeout,
    boolean detach) {

  static final String OWNER = "local-process deployer";

  static final List<String> DEFAULT_COMMAND =
      List.of(
          "{java}",
          "-jar",
          "{sampleAppJar}",
          "--host",
          "{host}",
          "--port",
          "{port}",
          "--version",
          "{version}",
          "--target",
          "{target}");

  private static final Set<String> PLACEHOLDERS =
      Set.of(
          "version",
          "port",
          "host",
          "target",
          "workDir",
          "instanceDir",
          "sampleAppJar",
          "behaviorFile",
          "java");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

  public LocalProcessSettings {
    workDir = workDir.toAbsolutePath().normalize();
    command = List.copyOf(command);
    sampleAppJar = sampleAppJar == null ? null : sampleAppJar.toAbsolutePath().normalize();
    behaviorFile = behaviorFile == null ? null : behaviorFile.toAbsolutePath().normalize();
    env = Map.copyOf(env);
    if (command.isEmpty()) {
      throw new ConfigurationException(OWNER + ": setting 'command' must not be empty");
    }
    Set<String> used = placeholders(command);
    Set<String> unknown = new TreeSet<>(used);
    unknown.removeAll(PLACEHOLDERS);
    if (!unknown.isEmpty()) {
      throw new ConfigurationException(
          OWNER
              + ": setting 'command' has unknown placeholders "
              + unknown
              + ", known: "
              + new TreeSet<>(PLACEHOLDERS));
    }
    if (used.contains("sampleAppJar") && sampleAppJar == null) {
      throw new ConfigurationException(
          OWNER + ": setting 'sampleAppJar' is required (the command runs {sampleAppJar})");
    }
    if (used.contains("behaviorFile") && behaviorFile == null) {
      throw new ConfigurationException(
          OWNER + ": setting 'behaviorFile' is required (the command names {behaviorFile})");
    }
  }

  /** Reads the settings of {@code ref}; see the class comment for keys and defaults. */
  public static LocalProcessSettings from(ProviderRef ref) {
    Settings settings = new Settings(OWNER, ref.settings());
    String jar = settings.string("sampleAppJar", null);
    String behavior = settings.string("behaviorFile", null);
    List<String> command = settings.stringList("command", null);
    if (command == null) {
      command = new ArrayList<>(DEFAULT_COMMAND);
      if (behavior != null) {
        command.addAll(List.of("--behavior", "{behaviorFile}"));
      }
    }
    return new LocalProcessSettings(
        Path.of(settings.string("workDir", ".sluice/fleet")),
        command,
        jar == null || jar.isBlank() ? null : Path.of(jar),
        behavior == null || behavior.isBlank() ? null : Path.of(behavior),
        settings.stringMap("env"),
        settings.duration("startTimeout", Duration.ofSeconds(20)),
        settings.duration("stopTimeout", Duration.ofSeconds(10)),
        !"false".equalsIgnoreCase(settings.string("detach", "true")));
  }

  /** The directory holding one target's state and log. */
  Path instanceDir(String targetId) {
    return workDir.resolve(targetId);
  }

  /** The command that starts {@code version} on {@code target}, placeholders filled in. */
  List<String> commandFor(Target target, String version) {
    Map<String, String> values =
        Map.of(
            "version", version,
            "port", Integer.toString(target.port()),
            "host", target.host(),
            "target", target.id(),
            "workDir", workDir.toString(),
            "instanceDir", instanceDir(target.id()).toString(),
            "sampleAppJar", sampleAppJar == null ? "" : sampleAppJar.toString(),
            "behaviorFile", behaviorFile == null ? "" : behaviorFile.toString(),
            "java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> filled = new ArrayList<>();
    for (String part : command) {
      Matcher m = PLACEHOLDER.matcher(part);
      filled.add(m.replaceAll(r -> Matcher.quoteReplacement(values.get(r.group(1)))));
    }
    return filled;
  }

  boolean usesPlaceholder(String name) {
    return placeholders(command).contains(name);
  }

  private static Set<String> placeholders(List<String> command) {
    Set<String> found = new TreeSet<>();
    for (String part : command) {
      Matcher m = PLACEHOLDER.matcher(part);
      while (m.find()) {
        found.add(m.group(1));
      }
    }
    return found;
  }
}
