package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sluice deploy SERVICE VERSION}: starts a deployment, prints its id, optionally waits. */
@Command(
    name = "deploy",
    description = {
      "Start a deployment and print its id (first line).",
      "With --wait: follow it and exit 0 on success, 2 on rollback/failure/abort, 3 on timeout,"
          + " 4 when it waits for a person (0 with --success-on-pause)."
    })
final class DeployCommand implements Callable<Integer> {

  @ParentCommand SluiceCli root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SERVICE")
  String service;

  @Parameters(index = "1", paramLabel = "VERSION")
  String version;

  @Option(
      names = "--strategy",
      description = "rolling, canary or blue-green (default: the service's)")
  String strategy;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "a setting of this deployment: batchSize=2, canary.canaryCount=1, blueGreen.warmUp=5m")
  List<String> settings = new ArrayList<>();

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description = "the same key returns the same deployment (CI retries)")
  String idempotencyKey;

  @Option(names = "--wait", description = "follow the deployment until it ends")
  boolean await;

  @Option(
      names = "--timeout",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "with --wait: give up waiting after this long (exit 3)")
  Duration timeout;

  @Option(
      names = "--success-on-pause",
      description = "with --wait: a deployment waiting for a person is a success")
  boolean successOnPause;

  @Option(
      names = "--interval",
      converter = DurationConverter.class,
      defaultValue = "2s",
      paramLabel = "DURATION",
      description = "with --wait: how often to ask (default 2s)")
  Duration interval;

  @Override
  public Integer call() {
    if (!await && (timeout != null || successOnPause)) {
      throw new ParameterException(
          spec.commandLine(), "--timeout and --success-on-pause go with --wait");
    }
    ObjectNode body =
        JsonNodeFactory.instance.objectNode().put("service", service).put("version", version);
    if (strategy != null) {
      body.put("strategy", strategy);
    }
    try {
      Settings.apply(body, settings);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    SluiceApi api = root.api();
    JsonNode started =
        api.post(
            "/api/v1/deployments",
            body,
            idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
    String id = started.path("id").asText();
    root.output.print(root.out, started, view -> List.of(id));
    if (!await) {
      return 0;
    }
    Outcome outcome =
        Follow.deployment(api, id, interval, timeout, true, new ProgressLog(root.err));
    return Outcomes.report(root.err, id, outcome, successOnPause);
  }
}
