package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The long-running things that answer {@code POST base} (start), {@code GET base} (the list),
 * {@code GET base/{id}} (where it stands) and {@code POST base/{id}/{action}} (a control):
 * releases, migrations, dual-writes. One subclass per resource names its path and its list's table;
 * the subcommands are shared.
 */
abstract class StatusCommands {

  @ParentCommand SluiceCli root;

  /** The collection's path, e.g. {@code /api/v1/releases}. */
  abstract String base();

  /** The list's path for at most {@code limit} entries. */
  String listPath(int limit) {
    return base() + "?limit=" + limit;
  }

  /** The list as a table, one row per entry. */
  abstract List<String> table(JsonNode answer);

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static void printStatus(SluiceCli root, JsonNode answer) {
    OutputFormat format = root.output == OutputFormat.table ? OutputFormat.yaml : root.output;
    format.print(root.out, answer, a -> List.of());
  }

  @Command(
      name = "start",
      description = "Start one from a JSON or YAML file (the API's request body).")
  static final class Start implements Callable<Integer> {
    @ParentCommand StatusCommands of;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() {
      JsonNode body;
      try {
        body = YAML.readTree(Files.readString(file));
      } catch (IOException e) {
        throw new ParameterException(spec.commandLine(), file + ": " + e.getMessage());
      }
      if (body == null || !body.isObject()) {
        throw new ParameterException(
            spec.commandLine(), file + ": expected one JSON or YAML object");
      }
      printStatus(of.root, of.root.api().post(of.base(), body));
      return 0;
    }
  }

  @Command(name = "list", description = "The list, newest first (a table; -o json|yaml).")
  static final class ListAll implements Callable<Integer> {
    @ParentCommand StatusCommands of;

    @Option(
        names = "--limit",
        defaultValue = "20",
        paramLabel = "N",
        description =
            "At most N, 1 to 100 (releases, dual-writes; migrations list every datasource)")
    int limit;

    @Override
    public Integer call() {
      of.root.output.print(of.root.out, of.root.api().get(of.listPath(limit)), of::table);
      return 0;
    }
  }

  @Command(name = "get", description = "Where it stands (YAML; -o json for the API's JSON).")
  static final class Get implements Callable<Integer> {
    @ParentCommand StatusCommands of;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      printStatus(of.root, of.root.api().get(of.base() + "/" + SluiceApi.segment(id)));
      return 0;
    }
  }

  @Command(
      name = "control",
      description = "Send a control: promote, abort, pause, resume, … as the API names them.")
  static final class Control implements Callable<Integer> {
    @ParentCommand StatusCommands of;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "ACTION")
    String action;

    @Option(names = "--reason", paramLabel = "TEXT")
    String reason;

    @Override
    public Integer call() {
      JsonNode answer =
          of.root
              .api()
              .post(
                  of.base() + "/" + SluiceApi.segment(id) + "/" + SluiceApi.segment(action),
                  FlagsCommand.reason(reason));
      printStatus(of.root, answer);
      return 0;
    }
  }

  @Command(
      name = "releases",
      description =
          "Releases (migration → deployment → flag rollout): start FILE, list, get ID, control ID"
              + " ACTION.",
      subcommands = {Start.class, ListAll.class, Get.class, Control.class})
  static final class Releases extends StatusCommands {
    @Override
    String base() {
      return "/api/v1/releases";
    }

    @Override
    List<String> table(JsonNode answer) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "STATE", "STAGE", "STAGES", "STARTED", "BY"});
      for (JsonNode r : answer.path("releases")) {
        List<String> stages = new ArrayList<>();
        for (String stage : List.of("migration", "deployment", "flagRollout")) {
          if (r.hasNonNull(stage)) {
            stages.add(stage + " " + r.path(stage).asText());
          }
        }
        rows.add(
            new String[] {
              r.path("id").asText(),
              r.path("state").asText(),
              r.path("stage").asText(""),
              String.join(" → ", stages),
              r.path("startedAt").asText(),
              r.path("startedBy").asText()
            });
      }
      return rows.size() == 1 ? List.of("no releases") : Table.format(rows, "");
    }
  }

  @Command(
      name = "migrations",
      description =
          "Expand-contract schema migrations: start FILE, list, get DATASOURCE, control DATASOURCE"
              + " ACTION.",
      subcommands = {Start.class, ListAll.class, Get.class, Control.class})
  static final class Migrations extends StatusCommands {
    @Override
    String base() {
      return "/api/v1/migrations";
    }

    /** Every configured datasource: the API takes no limit. */
    @Override
    String listPath(int limit) {
      return base();
    }

    @Override
    List<String> table(JsonNode answer) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"DATASOURCE", "MIGRATION", "PHASE", "ROWS", "REASON"});
      for (JsonNode m : answer.path("migrations")) {
        JsonNode status = m.path("status");
        boolean answered = m.path("answer").asText().equals("status");
        rows.add(
            new String[] {
              m.path("datasource").asText(),
              status.path("name").asText(""),
              answered ? status.path("phase").asText() : m.path("answer").asText(),
              answered ? status.path("rowsBackfilled").asText() : "",
              answered ? status.path("reason").asText("") : m.path("message").asText("")
            });
      }
      return rows.size() == 1 ? List.of("no datasources configured") : Table.format(rows, "");
    }
  }

  @Command(
      name = "dual-writes",
      description = "Dual-write migrations: start FILE, list, get NAME, control NAME ACTION.",
      subcommands = {Start.class, ListAll.class, Get.class, Control.class})
  static final class DualWrites extends StatusCommands {
    @Override
    String base() {
      return "/api/v1/dual-writes";
    }

    @Override
    List<String> table(JsonNode answer) {
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {"NAME", "FLAG", "STATE", "PHASE", "COMPARED", "MISMATCHES", "STARTED"});
      for (JsonNode d : answer.path("dualWrites")) {
        JsonNode status = d.path("status");
        boolean answered = d.path("answer").asText().equals("status");
        rows.add(
            new String[] {
              d.path("name").asText(),
              d.path("flagKey").asText(""),
              answered ? status.path("state").asText() : d.path("answer").asText(),
              status.path("phase").asText(""),
              answered ? status.path("compared").asText() : "",
              answered ? status.path("mismatches").asText() : "",
              d.path("startedAt").asText()
            });
      }
      return rows.size() == 1 ? List.of("no dual-write migrations") : Table.format(rows, "");
    }
  }
}
