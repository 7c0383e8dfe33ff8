package dev.sluice.activities.deploy.host;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.Settings;
import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the service as a container: pull {@code IMAGE:VERSION}, stop and remove the old container,
 * run the new one with the service's ports, env file and labels. The running version is the
 * container's {@code sluice.version} label, read with {@code docker inspect}.
 *
 * <p>Settings under {@code template}: {@code image} (required, without tag), {@code container}
 * (name, default {@code {{target}}}), {@code ports} (list of {@code HOST:CONTAINER}, default the
 * target's port on both sides), {@code envFile} (a file on the host), {@code labels} (object),
 * {@code runArgs} (extra {@code docker run} arguments, e.g. {@code ["--network", "host"]}), {@code
 * docker} (the command, default {@code ["docker"]}; e.g. {@code ["sudo", "docker"]} or {@code
 * ["podman"]}), {@code pull} (default true), {@code stopTimeout} (seconds {@code docker stop} waits
 * before killing, default 10). Every list may use the placeholders of {@link Placeholders}.
 */
record DockerTemplate(
    String image,
    String container,
    List<String> ports,
    String envFile,
    Map<String, String> labels,
    List<String> runArgs,
    List<String> docker,
    boolean pull,
    int stopTimeoutSeconds)
    implements HostTemplate {

  static final String VERSION_LABEL = "sluice.version";
  static final String TARGET_LABEL = "sluice.target";

  private static final Set<String> KEYS =
      Set.of(
          "type",
          "image",
          "container",
          "ports",
          "envFile",
          "labels",
          "runArgs",
          "docker",
          "pull",
          "stopTimeout");

  static DockerTemplate from(Settings settings) {
    settings.refuseUnknown(KEYS);
    String image = settings.requiredString("image");
    if (image.contains("@") || image.matches(".*:[^/]*$")) {
      throw new ConfigurationException(
          settings.owner()
              + ": setting 'image' names the image without a tag or digest (the version is the"
              + " tag), got \""
              + image
              + "\"");
    }
    String container = settings.string("container", "{{target}}");
    Placeholders.check(settings.owner(), "container", List.of(container));
    List<String> ports = HostTemplate.command(settings, "ports", List.of("{{port}}:{{port}}"));
    List<String> runArgs = settings.stringList("runArgs", List.of());
    Placeholders.check(settings.owner(), "runArgs", runArgs);
    return new DockerTemplate(
        image,
        container,
        ports,
        settings.string("envFile", null),
        settings.stringMap("labels"),
        runArgs,
        HostTemplate.command(settings, "docker", List.of("docker")),
        settings.bool("pull", true),
        settings.integer("stopTimeout", 10));
  }

  @Override
  public List<Step> deploy(Target target, String version) {
    String name = name(target);
    String tagged = image + ":" + version;
    List<Step> steps = new ArrayList<>();
    if (pull) {
      steps.add(Step.of(docker("pull", tagged)));
    }
    steps.add(
        Step.allowedToFail(docker("stop", "--time", Integer.toString(stopTimeoutSeconds), name)));
    steps.add(Step.allowedToFail(docker("rm", name)));
    List<String> run = docker("run", "--detach", "--name", name, "--restart", "unless-stopped");
    run.addAll(List.of("--label", VERSION_LABEL + "=" + version));
    run.addAll(List.of("--label", TARGET_LABEL + "=" + target.id()));
    labels.forEach((k, v) -> run.addAll(List.of("--label", k + "=" + v)));
    for (String port : Placeholders.fill(ports, target, version)) {
      run.addAll(List.of("--publish", port));
    }
    if (envFile != null) {
      run.addAll(List.of("--env-file", envFile));
    }
    run.addAll(Placeholders.fill(runArgs, target, version));
    run.add(tagged);
    steps.add(Step.of(run));
    return steps;
  }

  @Override
  public List<Step> stop(Target target) {
    String name = name(target);
    return List.of(
        Step.allowedToFail(docker("stop", "--time", Integer.toString(stopTimeoutSeconds), name)));
  }

  @Override
  public Probe probe(Target target) {
    String name = name(target);
    return new Probe(
        docker("inspect", "--format", "{{index .Config.Labels \"" + VERSION_LABEL + "\"}}", name),
        docker("inspect", "--format", "{{.State.Running}}", name));
  }

  private String name(Target target) {
    return Placeholders.fill(List.of(container), target, null).get(0);
  }

  private List<String> docker(String... arguments) {
    List<String> command = new ArrayList<>(docker);
    command.addAll(List.of(arguments));
    return command;
  }
}
