package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sluice flags list|get|rollout|rollout-status|kill|enable|stale}: the feature flags over
 * {@code /api/v1/flags}.
 */
@Command(
    name = "flags",
    description = "Feature flags: list, get, rollout, rollout-status, kill, enable, stale.",
    subcommands = {
      FlagsCommand.ListFlags.class,
      FlagsCommand.GetFlag.class,
      FlagsCommand.Rollout.class,
      FlagsCommand.RolloutStatus.class,
      FlagsCommand.Stale.class
    })
final class FlagsCommand {

  @ParentCommand SluiceCli root;

  static String path(String key) {
    return "/api/v1/flags/" + SluiceApi.segment(key);
  }

  static ObjectNode reason(String reason) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    return body;
  }

  /** One line per flag: key, type, owner, version, state, what it serves by default. */
  static List<String> table(JsonNode answer) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"KEY", "TYPE", "OWNER", "VERSION", "STATE", "DEFAULT", "UPDATED"});
    for (JsonNode f : answer.path("flags")) {
      rows.add(row(f));
    }
    return rows.size() == 1 ? List.of("no flags") : Table.format(rows, "");
  }

  private static String[] row(JsonNode f) {
    JsonNode definition = f.path("definition");
    return new String[] {
      f.path("key").asText(),
      f.path("type").asText("-"),
      f.path("owner").asText("-"),
      f.path("version").asText(),
      definition.path("state").asText("-"),
      definition.path("defaultVariant").asText("-"),
      f.path("updatedAt").asText("-")
    };
  }

  /** A flag's key line and its definition as given. */
  static List<String> flag(JsonNode f) {
    List<String> lines =
        new ArrayList<>(
            Table.format(
                List.of(
                    new String[] {"KEY", "TYPE", "OWNER", "VERSION", "STATE", "DEFAULT", "UPDATED"},
                    row(f)),
                ""));
    lines.add("");
    lines.add(f.path("definition").toPrettyString());
    return lines;
  }

  @Command(name = "list", description = "Every flag.")
  static final class ListFlags implements Callable<Integer> {
    @ParentCommand FlagsCommand flags;

    @Override
    public Integer call() {
      SluiceCli root = flags.root;
      root.output.print(root.out, root.api().get("/api/v1/flags"), FlagsCommand::table);
      return 0;
    }
  }

  @Command(name = "get", description = "One flag and its definition.")
  static final class GetFlag implements Callable<Integer> {
    @ParentCommand FlagsCommand flags;

    @Parameters(paramLabel = "KEY")
    String key;

    @Override
    public Integer call() {
      SluiceCli root = flags.root;
      root.output.print(root.out, root.api().get(path(key)), FlagsCommand::flag);
      return 0;
    }
  }

  @Command(
      name = "rollout",
      description = {
        "Serve VARIANT to a share of users: at once (--percent), or as a durable staged rollout"
            + " (--stages 5:10m,25:30m,100) with an optional metric gate on a service."
      })
  static final class Rollout implements Callable<Integer> {
    @ParentCommand FlagsCommand flags;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(index = "1", paramLabel = "VARIANT")
    String variant;

    static final class How {
      @Option(names = "--percent", paramLabel = "P", description = "serve VARIANT to P% now")
      Integer percent;

      @Option(
          names = "--stages",
          paramLabel = "P[:BAKE],…",
          split = ",",
          description = "percentages, each held for its bake (5:10m,25:30m,100)")
      List<String> stages;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    How how;

    @Option(
        names = "--gate",
        paramLabel = "SERVICE",
        description = "with --stages: watch this service's metrics between stages")
    String gate;

    @Option(
        names = "--kill-on-failure",
        description = "with --stages: a failed gate kills the flag")
    boolean killOnFailure;

    @Option(names = "--reason", paramLabel = "TEXT")
    String reason;

    @Override
    public Integer call() {
      SluiceCli root = flags.root;
      ObjectNode body = reason(reason).put("variant", variant);
      if (how.percent != null) {
        if (gate != null || killOnFailure) {
          throw new ParameterException(
              spec.commandLine(), "--gate and --kill-on-failure go with --stages");
        }
        body.put("percentage", how.percent);
        JsonNode answer = root.api().post(path(key) + "/rollout", body);
        root.output.print(root.out, answer, FlagsCommand::flag);
        return 0;
      }
      ArrayNode stages = body.putArray("stages");
      for (String stage : how.stages) {
        String[] parts = stage.strip().split(":", 2);
        ObjectNode each = stages.addObject();
        try {
          each.put("percent", Integer.parseInt(parts[0]));
        } catch (NumberFormatException e) {
          throw new ParameterException(
              spec.commandLine(), "--stages: '" + stage + "' is not P or P:BAKE (25:30m)");
        }
        if (parts.length == 2) {
          each.put("bake", parts[1]);
        }
      }
      if (gate != null) {
        body.putObject("gate").put("service", gate);
      }
      if (killOnFailure) {
        body.put("killOnFailure", true);
      }
      JsonNode answer = root.api().post(path(key) + "/rollouts", body);
      root.output.print(
          root.out,
          answer,
          a -> List.of("rollout of " + key + " started: sluice flags rollout-status " + key));
      return 0;
    }
  }

  @Command(name = "rollout-status", description = "Where a flag's staged rollout stands.")
  static final class RolloutStatus implements Callable<Integer> {
    @ParentCommand FlagsCommand flags;

    @Parameters(paramLabel = "KEY")
    String key;

    @Override
    public Integer call() {
      SluiceCli root = flags.root;
      JsonNode status = root.api().get(path(key) + "/rollouts/current");
      OutputFormat format = root.output == OutputFormat.table ? OutputFormat.yaml : root.output;
      format.print(root.out, status, s -> List.of());
      return 0;
    }
  }

  @Command(
      name = "kill",
      description = "The kill switch: everyone gets the code's default at once.")
  int kill(
      @Parameters(paramLabel = "KEY") String key,
      @Option(names = "--reason", paramLabel = "TEXT") String reason) {
    return post(key, "/disable", reason);
  }

  @Command(name = "enable", description = "Turn a killed flag back on.")
  int enable(
      @Parameters(paramLabel = "KEY") String key,
      @Option(names = "--reason", paramLabel = "TEXT") String reason) {
    return post(key, "/enable", reason);
  }

  private int post(String key, String action, String reason) {
    root.output.print(
        root.out, root.api().post(path(key) + action, reason(reason)), FlagsCommand::flag);
    return 0;
  }

  @Command(
      name = "stale",
      description = "Flag debt: flags serving one variant for two weeks, or past their lifetime.")
  static final class Stale implements Callable<Integer> {
    @ParentCommand FlagsCommand flags;

    @Override
    public Integer call() {
      SluiceCli root = flags.root;
      JsonNode answer = root.api().get("/api/v1/flags/stale");
      root.output.print(
          root.out,
          answer,
          a -> {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"KEY", "OWNER", "SERVING", "LAST CHANGED", "WHY"});
            for (JsonNode f : a.path("flags")) {
              List<String> why = new ArrayList<>();
              f.path("reasons").forEach(r -> why.add(r.asText()));
              rows.add(
                  new String[] {
                    f.path("key").asText(),
                    f.path("owner").asText("-"),
                    f.path("serving").asText(),
                    f.path("lastChanged").asText("-"),
                    String.join(", ", why)
                  });
            }
            return rows.size() == 1 ? List.of("no stale flags") : Table.format(rows, "");
          });
      return 0;
    }
  }
}
