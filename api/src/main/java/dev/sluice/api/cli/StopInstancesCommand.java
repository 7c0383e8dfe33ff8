package dev.sluice.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.localprocess.LocalFleet;
import dev.sluice.activities.deploy.localprocess.LocalProcessSettings;
import dev.sluice.activities.deploy.localprocess.StoppedInstance;
import dev.sluice.model.ProviderRef;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code sluice stop-instances SERVICE [--url URL] [--state-dir DIR]}: stops the instances the
 * {@code local-process} deployer started for a service (SIGTERM, SIGKILL after the deployer's
 * {@code stopTimeout}) and prints each one. The service's fleet (for a discovered fleet, what its
 * source holds now) and the deployer's {@code workDir} come from the server; {@code --state-dir}
 * names the work directory instead (a relative {@code workDir} is resolved against this command's
 * directory). Without SERVICE, {@code --state-dir} is required and every instance recorded there is
 * stopped, no server needed. The stopping is {@link LocalFleet#stop}'s. Exit status 0; 1 when an
 * instance survived or the service cannot be read; 2 for a wrong command line.
 */
public class StopInstancesCommand extends Command {

  private static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  public StopInstancesCommand() {
    super(
        "stop-instances",
        "Stops the instances the local-process deployer started for a service (SIGTERM, then"
            + " SIGKILL)");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("service").nargs("?").help("the service whose instances to stop");
    subparser
        .addArgument("--url")
        .setDefault(SluiceRest.DEFAULT_URL)
        .help("the Sluice server holding the service (default " + SluiceRest.DEFAULT_URL + ")");
    subparser
        .addArgument("--state-dir")
        .dest("stateDir")
        .help("the local-process deployer's workDir (default: the service's setting)");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    String stateDir = namespace.getString("stateDir");
    int status =
        stop(
            namespace.getString("service"),
            URI.create(namespace.getString("url")),
            stateDir == null ? null : Path.of(stateDir),
            System.out,
            System.err);
    System.out.flush();
    // Dropwizard's runner exits 0 after a command; a failure must say so.
    Runtime.getRuntime().halt(status);
  }

  /**
   * Stops the instances of {@code service} (or, when it is null, every one recorded in {@code
   * stateDir}), printing what was stopped to {@code out} and problems to {@code err}.
   *
   * @return the exit status
   */
  public static int stop(String service, URI url, Path stateDir, PrintStream out, PrintStream err)
      throws InterruptedException {
    if (service == null && stateDir == null) {
      err.println("sluice stop-instances: name a SERVICE, or give --state-dir DIR");
      return 2;
    }
    Path workDir = stateDir;
    List<String> targets = null;
    Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
    if (service != null) {
      JsonNode definition;
      try {
        SluiceRest.Answer answer = SluiceRest.getService(url, service, "", "application/json");
        if (!answer.ok()) {
          err.println("sluice stop-instances " + service + ": " + answer.problem());
          return 1;
        }
        definition = answer.json().path("definition");
      } catch (IOException e) {
        err.println("sluice stop-instances: no Sluice server answers at " + url + ": " + e);
        return 1;
      }
      String type = definition.path("deployer").path("type").asText();
      if (!"local-process".equals(type)) {
        err.println(
            "sluice stop-instances "
                + service
                + ": deployer.type is \""
                + type
                + "\"; this command stops instances of the local-process deployer only");
        return 1;
      }
      LocalProcessSettings settings;
      try {
        settings = LocalProcessSettings.from(new ProviderRef(type, settingsOf(definition)));
      } catch (ConfigurationException e) {
        err.println("sluice stop-instances " + service + ": " + e.getMessage());
        return 1;
      }
      workDir = stateDir != null ? stateDir : settings.workDir();
      stopTimeout = settings.stopTimeout();
      JsonNode fleet = definition.path("fleet");
      if (definition.has("fleetSource")) {
        // A discovered fleet: the targets its source holds now.
        try {
          SluiceRest.Answer answer =
              SluiceRest.getService(url, service, "/fleet", "application/json");
          if (!answer.ok()) {
            err.println("sluice stop-instances " + service + ": " + answer.problem());
            return 1;
          }
          fleet = answer.json().path("targets");
        } catch (IOException e) {
          err.println("sluice stop-instances: no Sluice server answers at " + url + ": " + e);
          return 1;
        }
      }
      targets = new ArrayList<>();
      for (JsonNode target : fleet) {
        targets.add(target.path("id").asText());
      }
    }
    List<StoppedInstance> stopped = LocalFleet.stop(workDir, targets, stopTimeout);
    if (stopped.isEmpty()) {
      out.println(
          "no instances recorded in "
              + workDir
              + (service == null ? "" : " for the targets of " + service));
    }
    boolean survived = false;
    for (StoppedInstance instance : stopped) {
      out.println(line(instance, stopTimeout));
      survived |= instance.outcome().equals("survived");
    }
    return survived ? 1 : 0;
  }

  private static String line(StoppedInstance instance, Duration stopTimeout) {
    String what =
        instance.target() + " (version " + instance.version() + ", pid " + instance.pid() + ")";
    return switch (instance.outcome()) {
      case "stopped" -> "stopped " + what;
      case "killed" ->
          "killed " + what + ": it ignored SIGTERM for " + stopTimeout.toSeconds() + " s";
      case "survived" -> "could not stop " + what + ": it survived SIGKILL; its state is kept";
      default -> "forgot " + what + ": it was no longer running";
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> settingsOf(JsonNode definition) {
    JsonNode settings = definition.path("deployer").path("settings");
    return settings.isObject() ? JSON.convertValue(settings, Map.class) : Map.of();
  }
}
