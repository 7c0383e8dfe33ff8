package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * {@code deploy --set KEY=VALUE}: a path into the request body, the value JSON when it reads as
 * JSON ({@code 2}, {@code true}, {@code [..]}, <code>{..}</code>) and a string otherwise ({@code
 * 25%}, {@code 10m}). A key under {@code canary.}, {@code blueGreen.} or {@code autoRollback.} goes
 * there; any other key is a rolling override ({@code batchSize=2} is {@code overrides.batchSize}).
 */
final class Settings {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SECTIONS =
      Set.of("overrides", "canary", "blueGreen", "autoRollback");
  private static final Set<String> OWN_OPTIONS = Set.of("service", "version", "strategy");

  private Settings() {}

  /**
   * Applies every {@code KEY=VALUE} to {@code body}.
   *
   * @throws IllegalArgumentException naming the bad setting
   */
  static void apply(ObjectNode body, List<String> settings) {
    for (String setting : settings) {
      int eq = setting.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--set " + setting + ": write KEY=VALUE, e.g. --set batchSize=2");
      }
      String key = setting.substring(0, eq).strip();
      if (OWN_OPTIONS.contains(key)) {
        throw new IllegalArgumentException("--set " + key + ": give it as an argument or --" + key);
      }
      String[] path = key.split("\\.", -1);
      for (String part : path) {
        if (part.isEmpty()) {
          throw new IllegalArgumentException("--set " + setting + ": empty part in '" + key + "'");
        }
      }
      ObjectNode node =
          SECTIONS.contains(path[0]) && path.length > 1 ? body : child(body, "overrides");
      for (int i = 0; i < path.length - 1; i++) {
        JsonNode next = node.get(path[i]);
        if (next != null && !next.isObject()) {
          throw new IllegalArgumentException(
              "--set " + key + ": '" + path[i] + "' is already a value");
        }
        node = child(node, path[i]);
      }
      node.set(path[path.length - 1], value(setting.substring(eq + 1)));
    }
  }

  private static ObjectNode child(ObjectNode parent, String name) {
    JsonNode existing = parent.get(name);
    return existing instanceof ObjectNode object ? object : parent.putObject(name);
  }

  private static JsonNode value(String text) {
    try {
      JsonNode parsed = JSON.readTree(text);
      if (parsed != null && !parsed.isMissingNode() && !parsed.isTextual()) {
        return parsed;
      }
    } catch (IOException notJson) {
      // A word such as 25% or 10m: the string itself.
    }
    return JsonNodeFactory.instance.textNode(text);
  }
}
