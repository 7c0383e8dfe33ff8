package dev.sluice.activities.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * A notification as a Slack incoming-webhook message: {@code text} (the one line notifications and
 * old clients show) plus {@code blocks} — a section with the deployment's service, version,
 * strategy, state and reason, and url buttons to open it and, while it runs or waits for a person,
 * to promote or abort it on the dashboard (which asks for confirmation).
 */
final class SlackMessage {

  private SlackMessage() {}

  /** A Slack field holds at most 2,000 characters. */
  static final int MAX_FIELD = 1_900;

  private static final Set<String> OVER = Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED");

  /** The message for {@code payload}: Sluice's notification with its {@code links}. */
  static ObjectNode of(JsonNode payload) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode message = f.objectNode();
    String id = text(payload, "deploymentId");
    String line =
        "*"
            + escape(text(payload, "service"))
            + "* "
            + escape(text(payload, "type"))
            + (id == null ? "" : " (" + escape(id) + ")")
            + ": "
            + escape(text(payload, "message"));
    message.put("text", line);
    ArrayNode blocks = message.putArray("blocks");

    ObjectNode section = blocks.addObject().put("type", "section");
    section.putObject("text").put("type", "mrkdwn").put("text", line);
    ArrayNode fields = section.putArray("fields");
    field(fields, "Service", text(payload, "service"));
    field(fields, "Version", text(payload, "version"));
    field(fields, "Strategy", text(payload, "strategy"));
    field(fields, "State", text(payload, "state"));
    field(fields, "Reason", text(payload, "reason"));

    JsonNode links = payload.path("links");
    if (links.hasNonNull("deployment")) {
      ObjectNode actions = blocks.addObject().put("type", "actions");
      ArrayNode buttons = actions.putArray("elements");
      button(buttons, "open", "Open", links.path("deployment").asText(), null);
      if (!OVER.contains(String.valueOf(text(payload, "state")))) {
        button(buttons, "promote", "Promote", links.path("promote").asText(), "primary");
        button(buttons, "abort", "Abort", links.path("abort").asText(), "danger");
      }
    }
    return message;
  }

  private static void field(ArrayNode fields, String name, String value) {
    if (value == null || value.isBlank()) {
      return;
    }
    String shown = value.length() > MAX_FIELD ? value.substring(0, MAX_FIELD) + "…" : value;
    fields.addObject().put("type", "mrkdwn").put("text", "*" + name + "*\n" + escape(shown));
  }

  private static void button(ArrayNode buttons, String id, String label, String url, String style) {
    ObjectNode button = buttons.addObject().put("type", "button").put("action_id", id);
    button.putObject("text").put("type", "plain_text").put("text", label);
    button.put("url", url);
    if (style != null) {
      button.put("style", style);
    }
  }

  private static String text(JsonNode payload, String field) {
    JsonNode value = payload.path(field);
    return value.isMissingNode() || value.isNull() ? null : value.asText();
  }

  /** Slack's mrkdwn: {@code &}, {@code <} and {@code >} are control characters. */
  private static String escape(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
