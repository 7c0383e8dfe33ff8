package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code sluice services}: every service with its fleet, router and deployer. */
@Command(name = "services", description = "List the services.")
final class ServicesCommand implements Callable<Integer> {

  @ParentCommand SluiceCli root;

  @Override
  public Integer call() {
    JsonNode answer = root.api().get("/api/v1/services");
    root.output.print(root.out, answer, ServicesCommand::table);
    return 0;
  }

  static List<String> table(JsonNode answer) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "STRATEGY", "FLEET", "ROUTER", "DEPLOYER"});
    for (JsonNode s : answer.path("services")) {
      JsonNode d = s.path("definition");
      String fleet =
          d.path("fleet").isArray()
              ? d.path("fleet").size() + " targets"
              : d.path("fleetSource").path("type").asText("?") + " source";
      rows.add(
          new String[] {
            s.path("name").asText(),
            d.path("defaultStrategy").asText("rolling"),
            fleet,
            d.path("trafficRouter").path("type").asText(),
            d.path("deployer").path("type").asText()
          });
    }
    return rows.size() == 1 ? List.of("no services") : Table.format(rows, "");
  }
}
