package dev.sluice.activities.deploy.host;

import dev.sluice.activities.Settings;
import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs the service as a systemd unit over release directories: optionally fetch the release ({@code
 * fetch}, e.g. download and unpack it into {@code releasesDir/VERSION}), check that the directory
 * is there, point the {@code current} symlink at it (atomically: a new link renamed over the old
 * one), {@code systemctl restart UNIT}, and write the version to the version file, which is where
 * the running version is read from.
 *
 * <p>Settings under {@code template}: {@code unit} (required), {@code releasesDir} (required, on
 * the host), {@code currentLink} (default {@code releasesDir/../current}), {@code versionFile}
 * (default {@code currentLink.version}), {@code fetch} (a list of commands, each a list of strings,
 * with placeholders), {@code systemctl} (the command, default {@code ["systemctl"]}; e.g. {@code
 * ["sudo", "systemctl"]} or {@code ["systemctl", "--user"]}).
 */
record SystemdTemplate(
    String unit,
    String releasesDir,
    String currentLink,
    String versionFile,
    List<List<String>> fetch,
    List<String> systemctl)
    implements HostTemplate {

  private static final Set<String> KEYS =
      Set.of("type", "unit", "releasesDir", "currentLink", "versionFile", "fetch", "systemctl");

  static SystemdTemplate from(Settings settings) {
    settings.refuseUnknown(KEYS);
    String releases = trimSlash(settings.requiredString("releasesDir"));
    String parent = releases.contains("/") ? releases.substring(0, releases.lastIndexOf('/')) : ".";
    String current = trimSlash(settings.string("currentLink", parent + "/current"));
    return new SystemdTemplate(
        settings.requiredString("unit"),
        releases,
        current,
        settings.string("versionFile", current + ".version"),
        CustomTemplate.commands(settings, "fetch", false),
        HostTemplate.command(settings, "systemctl", List.of("systemctl")));
  }

  @Override
  public List<Step> deploy(Target target, String version) {
    List<Step> steps = new ArrayList<>();
    for (List<String> command : fetch) {
      steps.add(Step.of(Placeholders.fill(command, target, version)));
    }
    String release = releasesDir + "/" + version;
    String staged = currentLink + ".sluice-new";
    steps.add(Step.of(List.of("ls", "-d", release)));
    steps.add(Step.of(List.of("ln", "-sfn", release, staged)));
    steps.add(Step.of(List.of("mv", "-Tf", staged, currentLink)));
    steps.add(Step.of(systemctl("restart", unit)));
    // The version is written by a fixed script that takes it as an argument, never pasted in.
    steps.add(
        Step.of(List.of("sh", "-c", "printf '%s\\n' \"$1\" > \"$2\"", "sh", version, versionFile)));
    return steps;
  }

  @Override
  public List<Step> stop(Target target) {
    return List.of(Step.of(systemctl("stop", unit)));
  }

  @Override
  public Probe probe(Target target) {
    return new Probe(List.of("cat", versionFile), systemctl("is-active", "--quiet", unit));
  }

  private List<String> systemctl(String... arguments) {
    List<String> command = new ArrayList<>(systemctl);
    command.addAll(List.of(arguments));
    return command;
  }

  private static String trimSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
