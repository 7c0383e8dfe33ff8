package dev.sluice.activities.deploy.host;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Commands the service definition gives: {@code deploy} (required), {@code currentVersion}
 * (required: prints the running version), and optional {@code stop} and {@code start}, run before
 * and after {@code deploy}. Each is a list of commands, each command a list of strings ({@code
 * [["systemctl", "stop", "app"]]}); a single command may be given as one list of strings. Arguments
 * may hold the placeholders of {@link Placeholders}; nothing is passed through a shell unless a
 * command runs one itself.
 */
record CustomTemplate(
    List<List<String>> deploy,
    List<String> currentVersion,
    List<List<String>> stop,
    List<List<String>> start)
    implements HostTemplate {

  private static final Set<String> KEYS =
      Set.of("type", "deploy", "currentVersion", "stop", "start");

  static CustomTemplate from(Settings settings) {
    settings.refuseUnknown(KEYS);
    List<List<String>> currentVersion = commands(settings, "currentVersion", true);
    if (currentVersion.size() != 1) {
      throw new ConfigurationException(
          settings.owner() + ": setting 'currentVersion' must be one command");
    }
    return new CustomTemplate(
        commands(settings, "deploy", true),
        currentVersion.get(0),
        commands(settings, "stop", false),
        commands(settings, "start", false));
  }

  @Override
  public List<Step> deploy(Target target, String version) {
    List<Step> steps = new ArrayList<>();
    fill(stop, target, version, steps);
    fill(deploy, target, version, steps);
    fill(start, target, version, steps);
    return steps;
  }

  @Override
  public List<Step> stop(Target target) {
    List<Step> steps = new ArrayList<>();
    fill(stop, target, null, steps);
    return steps;
  }

  @Override
  public Probe probe(Target target) {
    return new Probe(Placeholders.fill(currentVersion, target, null), null);
  }

  private static void fill(
      List<List<String>> commands, Target target, String version, List<Step> into) {
    for (List<String> command : commands) {
      into.add(Step.of(Placeholders.fill(command, target, version)));
    }
  }

  /**
   * A setting holding commands: a list of lists of strings, or one list of strings for a single
   * command; each checked for placeholders.
   */
  static List<List<String>> commands(Settings settings, String key, boolean required) {
    Object value = settings.value(key);
    if (value == null) {
      if (required) {
        throw new ConfigurationException(settings.owner() + ": setting '" + key + "' is required");
      }
      return List.of();
    }
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      throw new ConfigurationException(
          settings.owner()
              + ": setting '"
              + key
              + "' must be a non-empty list of commands, each a list of strings");
    }
    List<List<String>> commands = new ArrayList<>();
    if (list.stream().noneMatch(List.class::isInstance)) {
      commands.add(list.stream().map(String::valueOf).toList());
    } else {
      for (Object item : list) {
        if (!(item instanceof List<?> command) || command.isEmpty()) {
          throw new ConfigurationException(
              settings.owner()
                  + ": setting '"
                  + key
                  + "' must be a list of commands, each a non-empty list of strings");
        }
        commands.add(command.stream().map(String::valueOf).toList());
      }
    }
    for (List<String> command : commands) {
      Placeholders.check(settings.owner(), key, command);
    }
    return List.copyOf(commands);
  }
}
