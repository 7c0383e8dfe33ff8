package dev.sluice.activities.deploy.host;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.model.Target;
import java.util.List;

/**
 * What the {@code ssh} and {@code ssm} deployers run on a host: the commands that put a version in
 * place, stop the service, and tell which version runs. {@code docker}, {@code systemd} and {@code
 * custom} ship.
 */
public interface HostTemplate {

  /** The commands that replace what runs on {@code target} with {@code version}, in order. */
  List<Step> deploy(Target target, String version);

  /** The commands that stop the service on {@code target}; empty when the template has none. */
  List<Step> stop(Target target);

  /** How to ask the host which version runs and whether it is running. */
  Probe probe(Target target);

  /**
   * Asking a host what it runs.
   *
   * @param version prints the version (first line of its output); a non-zero exit or no output
   *     means unknown
   * @param running exits 0 when the service runs, unless it prints {@code false}; null when the
   *     version command answering is the only sign
   */
  record Probe(List<String> version, List<String> running) {}

  /** Reads the {@code template} section of the deployer's settings. */
  static HostTemplate from(Settings settings) {
    Settings template = settings.section("template");
    String type = template.string("type", null);
    if (type == null) {
      throw new ConfigurationException(
          settings.owner() + ": setting 'template.type' is required: docker, systemd or custom");
    }
    return switch (type) {
      case "docker" -> DockerTemplate.from(template);
      case "systemd" -> SystemdTemplate.from(template);
      case "custom" -> CustomTemplate.from(template);
      default ->
          throw new ConfigurationException(
              settings.owner()
                  + ": setting 'template.type' must be docker, systemd or custom, got \""
                  + type
                  + "\"");
    };
  }

  /** A list setting of one command, checked for placeholders; {@code fallback} when absent. */
  static List<String> command(Settings settings, String key, List<String> fallback) {
    List<String> command = settings.stringList(key, fallback);
    if (command != null) {
      if (command.isEmpty()) {
        throw new ConfigurationException(
            settings.owner() + ": setting '" + key + "' must not be empty");
      }
      Placeholders.check(settings.owner(), key, command);
    }
    return command;
  }
}
