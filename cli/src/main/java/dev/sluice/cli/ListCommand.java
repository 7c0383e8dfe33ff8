package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code sluice list}: recent deployments, newest first. */
@Command(name = "list", description = "List deployments, newest first.")
final class ListCommand implements Callable<Integer> {

  @ParentCommand SluiceCli root;

  @Option(names = "--service", paramLabel = "NAME")
  String service;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      description = "RUNNING, PAUSED, SUCCEEDED, FAILED, ROLLED_BACK, ABORTED…")
  String state;

  @Option(names = "--limit", defaultValue = "20", paramLabel = "N")
  int limit;

  @Option(
      names = "--attention",
      description =
          "of those --limit lists, only the ones a person should look at: waiting for one,"
              + " failed, inconclusive")
  boolean attention;

  @Override
  public Integer call() {
    StringBuilder query = new StringBuilder("?limit=").append(limit);
    if (service != null) {
      query.append("&service=").append(SluiceApi.segment(service));
    }
    if (state != null) {
      query.append("&state=").append(SluiceApi.segment(state));
    }
    JsonNode answer = root.api().get("/api/v1/deployments" + query);
    if (attention) {
      ArrayNode kept = JsonNodeFactory.instance.arrayNode();
      for (JsonNode d : answer.path("deployments")) {
        if (d.path("needsAttention").asBoolean()) {
          kept.add(d);
        }
      }
      answer = JsonNodeFactory.instance.objectNode().set("deployments", kept);
    }
    root.output.print(root.out, answer, ListCommand::table);
    return 0;
  }

  static List<String> table(JsonNode answer) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {" ", "ID", "SERVICE", "STRATEGY", "VERSION", "STATE", "PHASE", "CREATED"});
    for (JsonNode d : answer.path("deployments")) {
      rows.add(
          new String[] {
            DeploymentScreen.symbol(d),
            d.path("id").asText(),
            d.path("service").asText(),
            d.path("strategy").asText(),
            d.path("version").asText(),
            d.path("state").asText(),
            d.path("phase").asText(),
            d.path("createdAt").asText()
          });
    }
    return rows.size() == 1 ? List.of("no deployments") : Table.format(rows, "");
  }
}
