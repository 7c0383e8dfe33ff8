package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The long-running things that answer {@code POST base} (start), {@code GET base/{id}} (where it
 * stands) and {@code POST base/{id}/{action}} (a control): releases, migrations, dual-writes. One
 * subclass per resource names its path; the subcommands are shared.
 */
abstract class StatusCommands {

  @ParentCommand SluiceCli root;

  /** The collection's path, e.g. {@code /api/v1/releases}. */
  abstract String base();

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
          "Releases (migration → deployment → flag rollout): start FILE, get ID, control ID ACTION.",
      subcommands = {Start.class, Get.class, Control.class})
  static final class Releases extends StatusCommands {
    @Override
    String base() {
      return "/api/v1/releases";
    }
  }

  @Command(
      name = "migrations",
      description =
          "Expand-contract schema migrations: start FILE, get DATASOURCE, control DATASOURCE ACTION.",
      subcommands = {Start.class, Get.class, Control.class})
  static final class Migrations extends StatusCommands {
    @Override
    String base() {
      return "/api/v1/migrations";
    }
  }

  @Command(
      name = "dual-writes",
      description = "Dual-write migrations: start FILE, get NAME, control NAME ACTION.",
      subcommands = {Start.class, Get.class, Control.class})
  static final class DualWrites extends StatusCommands {
    @Override
    String base() {
      return "/api/v1/dual-writes";
    }
  }
}
