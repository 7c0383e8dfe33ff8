package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice rollback SERVICE [--fast]}: a blue-green deployment in its rollback window switches
 * back; otherwise the previous version is deployed — with {@code --fast}, without pauses, bakes,
 * analysis or a monitoring window. Prints the deployment's id.
 */
@Command(
    name = "rollback",
    description =
        "Roll a service back: switch a blue-green back, else deploy the previous version.")
final class RollbackCommand implements Callable<Integer> {

  @ParentCommand SluiceCli root;

  @Parameters(paramLabel = "SERVICE")
  String service;

  @Option(names = "--reason", paramLabel = "TEXT")
  String reason;

  @Option(
      names = "--fast",
      description =
          "Emergency: no pauses, bakes, analysis or monitoring; batches as large as"
              + " max-unavailable allows (health checks still run).")
  boolean fast;

  @Override
  public Integer call() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    if (fast) {
      body.put("fast", true);
    }
    JsonNode answer =
        root.api().post("/api/v1/services/" + SluiceApi.segment(service) + "/rollback", body);
    root.output.print(
        root.out,
        answer,
        a ->
            List.of(
                a.path("deploymentId").asText(),
                a.path("action").asText()
                    + " to "
                    + a.path("version").asText()
                    + ": "
                    + a.path("message").asText("")));
    return 0;
  }
}
