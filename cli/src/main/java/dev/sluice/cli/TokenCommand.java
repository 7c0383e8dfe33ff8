package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice token create|list|revoke}: API tokens over {@code /api/v1/tokens} (an admin's token
 * in {@code SLUICE_TOKEN}). {@code create} prints the secret once, on its own line first, so {@code
 * secret=$(sluice token create … | head -n 1)} works.
 */
@Command(
    name = "token",
    description = "API tokens: create (the secret is printed once), list, revoke.",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand {

  static final String PATH = "/api/v1/tokens";

  @ParentCommand SluiceCli root;

  @Command(name = "create", description = "Make a token with a role, limited to services or not.")
  static final class Create implements Callable<Integer> {
    @ParentCommand TokenCommand of;

    @Option(names = "--name", required = true, paramLabel = "NAME")
    String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "viewer, deployer, approver or admin")
    String role;

    @Option(
        names = "--service",
        paramLabel = "SERVICE",
        description = "limit the token to this service (repeatable); none: every service")
    List<String> services = new ArrayList<>();

    @Override
    public Integer call() {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("name", name);
      body.put("role", role);
      services.forEach(body.putArray("services")::add);
      JsonNode answer = of.root.api().post(PATH, body);
      if (of.root.output == OutputFormat.table) {
        of.root.out.println(answer.path("secret").asText());
        of.root.err.println(
            "token "
                + name
                + " ("
                + answer.path("token").path("role").asText()
                + (services.isEmpty() ? "" : ", services " + services)
                + "): the secret above is shown this once; keep it in your CI's secrets");
      } else {
        of.root.output.print(of.root.out, answer, a -> List.of());
      }
      return 0;
    }
  }

  @Command(name = "list", description = "Every token: name, role, services, origin; no secrets.")
  static final class ListTokens implements Callable<Integer> {
    @ParentCommand TokenCommand of;

    @Override
    public Integer call() {
      of.root.output.print(of.root.out, of.root.api().get(PATH), TokenCommand::table);
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke a token made over the API, at once.")
  static final class Revoke implements Callable<Integer> {
    @ParentCommand TokenCommand of;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      JsonNode answer = of.root.api().delete(PATH + "/" + SluiceApi.segment(name));
      of.root.output.print(of.root.out, answer, a -> List.of("revoked " + a.path("name").asText()));
      return 0;
    }
  }

  static List<String> table(JsonNode answer) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "ROLE", "SERVICES", "ORIGIN", "CREATED", "BY", "REVOKED"});
    for (JsonNode t : answer.path("tokens")) {
      List<String> services = new ArrayList<>();
      t.path("services").forEach(s -> services.add(s.asText()));
      rows.add(
          new String[] {
            t.path("name").asText(),
            t.path("role").asText(),
            services.isEmpty() ? "all" : String.join(",", services),
            t.path("origin").asText(),
            t.path("createdAt").asText(""),
            t.path("createdBy").asText(""),
            t.path("revokedAt").asText("")
          });
    }
    return rows.size() == 1 ? List.of("no tokens") : Table.format(rows, "");
  }
}
