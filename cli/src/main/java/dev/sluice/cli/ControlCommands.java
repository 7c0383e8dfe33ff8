package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The controls of a deployment ({@code promote}, {@code abort}, {@code pause}, {@code resume},
 * {@code retry}, declared on {@link SluiceCli}, whose methods picocli makes subcommands): the API's
 * answer is printed (accepted with the workflow's message, or pending with the control's id when no
 * worker took it yet); a refusal is the API's 409 on one line, exit 1.
 */
final class ControlCommands {

  private ControlCommands() {}

  static ObjectNode body(String reason) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    return body;
  }

  static int send(SluiceCli root, String id, String action, ObjectNode body) {
    JsonNode answer =
        root.api().post("/api/v1/deployments/" + SluiceApi.segment(id) + "/" + action, body);
    root.output.print(root.out, answer, ControlCommands::line);
    return 0;
  }

  static List<String> line(JsonNode a) {
    String outcome = a.path("outcome").asText();
    String text =
        a.path("action").asText() + " " + a.path("deploymentId").asText() + ": " + outcome;
    if (outcome.equals("pending")) {
      text += " (control " + a.path("controlId").asText() + ")";
    } else if (a.hasNonNull("state")) {
      text += ", now " + a.path("state").asText() + " · " + a.path("phase").asText("");
    }
    if (a.hasNonNull("message")) {
      text += " — " + a.path("message").asText();
    }
    return List.of(text);
  }
}
