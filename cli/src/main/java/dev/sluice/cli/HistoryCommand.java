package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sluice history SERVICE}: what runs now, what ran before, every deployment's outcome. */
@Command(
    name = "history",
    description = "A service's versions: current, previous, and every deployment's outcome.")
final class HistoryCommand implements Callable<Integer> {

  @ParentCommand SluiceCli root;

  @Parameters(paramLabel = "SERVICE")
  String service;

  @Override
  public Integer call() {
    JsonNode answer = root.api().get("/api/v1/services/" + SluiceApi.segment(service) + "/history");
    root.output.print(root.out, answer, HistoryCommand::table);
    return 0;
  }

  static List<String> table(JsonNode h) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "running now: "
            + h.path("current").asText("mixed")
            + ", before it: "
            + h.path("previous").asText("-"));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"VERSION", "FROM", "OUTCOME", "DEPLOYMENT", "STARTED", "FINISHED"});
    for (JsonNode v : h.path("versions")) {
      rows.add(
          new String[] {
            v.path("version").asText(),
            v.path("previousVersion").asText("-"),
            v.path("outcome").asText(),
            v.path("deploymentId").asText(),
            v.path("startedAt").asText(),
            v.path("finishedAt").asText("-")
          });
    }
    lines.addAll(Table.format(rows, ""));
    return lines;
  }
}
