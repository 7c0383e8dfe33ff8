package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A deployment's view ({@code GET /api/v1/deployments/{id}}) as a screen of text: the state with
 * the symbols {@code kubectl argo rollouts get} uses, phase, strategy, batch, the canary weight as
 * a bar, versions, what it waits for and for how long, the targets (at most {@code limit}, the rest
 * counted by state) and the last events. The same lines serve a redrawn terminal and a log.
 */
final class DeploymentScreen {

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final int BAR = 20;
  private static final int EVENTS = 6;

  private DeploymentScreen() {}

  /** The symbol of a state, as Argo Rollouts' CLI shows it. */
  static String symbol(JsonNode deployment) {
    return switch (deployment.path("state").asText("")) {
      case "SUCCEEDED" -> "✔";
      case "FAILED", "ROLLED_BACK" -> "✖";
      case "ABORTED" -> "⚠";
      case "PAUSED" -> "॥";
      case "PENDING" -> "◷";
      default -> Outcome.waitsForPerson(deployment) ? "॥" : "◌";
    };
  }

  static List<String> render(JsonNode d, int limit, Instant now) {
    return render(d, null, limit, now);
  }

  /**
   * @param analysis the deployment's analysis ({@code GET …/analysis}); its latest run is shown per
   *     metric, or nothing when null
   */
  static List<String> render(JsonNode d, JsonNode analysis, int limit, Instant now) {
    List<String> lines = new ArrayList<>();
    String state = d.path("state").asText("?");
    String status = symbol(d) + " " + state;
    if (!d.path("phase").asText("").isEmpty()) {
      status += " · " + d.path("phase").asText();
    }
    if (Outcome.waitsForPerson(d) && !state.equals("PAUSED")) {
      status += " (waits for promote)";
    }
    lines.add(row("Deployment", d.path("id").asText("?") + "  " + d.path("service").asText("")));
    lines.add(row("Status", status));
    String strategy = d.path("strategy").asText("?");
    JsonNode batch = d.path("batch");
    if (batch.path("total").asInt(0) > 0) {
      strategy += "  batch " + batch.path("current").asInt() + "/" + batch.path("total").asInt();
    }
    lines.add(row("Strategy", strategy));
    lines.add(row("Versions", versions(d)));
    if (d.hasNonNull("trafficWeight")) {
      int weight = d.get("trafficWeight").asInt();
      lines.add(
          row(
              "Weight",
              bar(weight) + " " + weight + "% to " + d.path("version").asText() + " (set)"));
      JsonNode actual = d.path("actualWeight");
      if (actual.hasNonNull("percent")) {
        double percent = actual.get("percent").asDouble();
        lines.add(
            row(
                "",
                bar((int) Math.round(percent))
                    + String.format(Locale.ROOT, " %.1f%% actual", percent)
                    + " ("
                    + actual.path("canaryRequests").asLong()
                    + " of "
                    + (actual.path("canaryRequests").asLong()
                        + actual.path("baselineRequests").asLong())
                    + " requests at "
                    + clock(actual.path("at").asText())
                    + ")"));
      }
    }
    JsonNode waiting = d.path("waiting");
    if (waiting.isObject() && waiting.hasNonNull("what")) {
      String text = waiting.get("what").asText();
      Instant until = instant(waiting.path("until").asText(null));
      if (until != null) {
        Duration left = Duration.between(now, until);
        text +=
            ", "
                + (left.isNegative() ? "ending" : human(left) + " left")
                + " (until "
                + CLOCK.format(until)
                + ")";
      }
      if (waiting.hasNonNull("endsOn")) {
        text += "; ends on " + waiting.get("endsOn").asText();
      }
      lines.add(row("Waiting", text));
    }
    if (d.hasNonNull("reason") && !d.get("reason").asText().isBlank()) {
      lines.add(row("Reason", d.get("reason").asText()));
    }
    lines.addAll(analysis(analysis));
    lines.addAll(targets(d.path("targets"), limit));
    lines.addAll(events(d.path("events")));
    return lines;
  }

  /**
   * Whether the server can say what the deployment's analysis measured (a canary's analysis, a
   * warm-up, post-deploy monitoring): older servers have no such link.
   */
  static boolean analysed(JsonNode d) {
    return d.path("links").has("analysis");
  }

  /** The latest analysis run: per metric, the last readings, p-value, threshold and verdict. */
  static List<String> analysis(JsonNode analysis) {
    List<String> lines = new ArrayList<>();
    JsonNode runs = analysis == null ? null : analysis.path("runs");
    if (runs == null || !runs.isArray() || runs.isEmpty()) {
      return lines;
    }
    JsonNode run = runs.get(runs.size() - 1);
    int intervals = 0;
    for (JsonNode m : run.path("metrics")) {
      intervals = Math.max(intervals, m.path("points").size());
    }
    lines.add("");
    lines.add(
        "Analysis ("
            + run.path("kind").asText("?")
            + (runs.size() > 1 ? ", run " + runs.size() : "")
            + ", "
            + intervals
            + " intervals)");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"METRIC", "CANARY", "BASELINE", "P-VALUE", "FAILS AT", "VERDICT"});
    for (JsonNode m : run.path("metrics")) {
      JsonNode points = m.path("points");
      JsonNode last = points.isEmpty() ? m : points.get(points.size() - 1);
      String measure = m.path("measure").asText("");
      boolean sequential = m.hasNonNull("pValue");
      rows.add(
          new String[] {
            m.path("name").asText("?"),
            reading(last.path("canary"), measure),
            reading(last.path("baseline"), measure),
            sequential ? String.format("%.3g", m.get("pValue").asDouble()) : "-",
            !m.hasNonNull("threshold")
                ? "-"
                : sequential
                    ? "≤ " + String.format("%.3g", m.get("threshold").asDouble())
                    : "> " + reading(m.get("threshold"), measure),
            m.path("verdict").asText("?")
          });
    }
    lines.addAll(Table.format(rows, "  "));
    return lines;
  }

  private static String reading(JsonNode value, String measure) {
    if (value == null || !value.isNumber()) {
      return "-";
    }
    double v = value.asDouble();
    return switch (measure) {
      case "rate" -> String.format("%.2f%%", v * 100);
      case "mean-ms" -> Math.round(v) + " ms";
      default -> String.format("%.4g", v);
    };
  }

  private static String versions(JsonNode d) {
    String previous = d.path("previousVersion").asText("");
    String version = d.path("version").asText("?");
    return switch (d.path("strategy").asText("")) {
      case "canary" -> "stable " + (previous.isEmpty() ? "-" : previous) + "  canary " + version;
      case "blue-green" ->
          "active " + (previous.isEmpty() ? "-" : previous) + "  preview " + version;
      default -> (previous.isEmpty() ? "" : previous + " → ") + version;
    };
  }

  private static List<String> targets(JsonNode targets, int limit) {
    List<String> lines = new ArrayList<>();
    if (!targets.isArray() || targets.isEmpty()) {
      return lines;
    }
    lines.add("");
    lines.add("Targets (" + targets.size() + ")");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "PREVIOUS", "VERSION", "STATE", "DETAIL"});
    Map<String, Integer> rest = new TreeMap<>();
    int shown = 0;
    for (JsonNode t : targets) {
      if (shown < limit) {
        rows.add(
            new String[] {
              t.path("id").asText(),
              t.path("previousVersion").asText("-"),
              t.path("version").asText("-"),
              t.path("state").asText("-"),
              t.path("detail").asText("")
            });
        shown++;
      } else {
        rest.merge(t.path("state").asText("-"), 1, Integer::sum);
      }
    }
    lines.addAll(Table.format(rows, "  "));
    if (!rest.isEmpty()) {
      StringBuilder more =
          new StringBuilder("  … ").append(targets.size() - shown).append(" more:");
      rest.forEach((state, count) -> more.append(' ').append(state).append(' ').append(count));
      lines.add(more.toString());
      lines.addAll(groups(targets));
    }
    return lines;
  }

  /**
   * One line per pool (blue-green), else per zone, else for the whole fleet: how many targets, on
   * which versions, in which states. Shown when the table is cut, so a fleet of hundreds stays on
   * one screen and still says where every target stands.
   */
  static List<String> groups(JsonNode targets) {
    String by = null;
    for (String field : List.of("pool", "zone")) {
      for (JsonNode t : targets) {
        if (t.hasNonNull(field)) {
          by = field;
        }
      }
      if (by != null) {
        break;
      }
    }
    Map<String, List<JsonNode>> grouped = new TreeMap<>();
    for (JsonNode t : targets) {
      String key = by == null ? "all" : t.path(by).asText("-");
      grouped.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
    }
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, List<JsonNode>> group : grouped.entrySet()) {
      rows.add(
          new String[] {
            (by == null ? "" : by + " ") + group.getKey(),
            group.getValue().size() + " targets",
            counts(group.getValue(), "version"),
            counts(group.getValue(), "state")
          });
    }
    List<String> lines = new ArrayList<>();
    lines.add("  All " + targets.size() + (by == null ? ":" : " by " + by + ":"));
    lines.addAll(Table.format(rows, "    "));
    return lines;
  }

  /** {@code 2.0.0 ×38, 2.1.0 ×2}: the values of {@code field}, most frequent first. */
  private static String counts(List<JsonNode> targets, String field) {
    Map<String, Integer> counts = new TreeMap<>();
    targets.forEach(t -> counts.merge(t.path(field).asText("-"), 1, Integer::sum));
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .map(e -> e.getKey() + " ×" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static List<String> events(JsonNode events) {
    List<String> lines = new ArrayList<>();
    if (!events.isArray() || events.isEmpty()) {
      return lines;
    }
    lines.add("");
    lines.add("Events (last " + Math.min(EVENTS, events.size()) + " of " + events.size() + ")");
    for (int i = Math.max(0, events.size() - EVENTS); i < events.size(); i++) {
      lines.add("  " + event(events.get(i)));
    }
    return lines;
  }

  /** One event as a log line: time, type, target, message. */
  static String event(JsonNode e) {
    Instant at = instant(e.path("at").asText(null));
    StringBuilder line = new StringBuilder(at == null ? "--:--:--" : CLOCK.format(at));
    line.append("  ").append(e.path("type").asText("?"));
    if (e.hasNonNull("target")) {
      line.append("  ").append(e.get("target").asText());
    }
    if (e.hasNonNull("message")) {
      line.append("  ").append(e.get("message").asText());
    }
    return line.toString();
  }

  static String bar(int percent) {
    int filled = Math.max(0, Math.min(BAR, Math.round(percent * BAR / 100f)));
    return "[" + "█".repeat(filled) + "·".repeat(BAR - filled) + "]";
  }

  static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s >= 3600) {
      return s / 3600 + "h" + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return s / 60 + "m" + s % 60 + "s";
    }
    return s + "s";
  }

  /** A labelled line; an empty label continues the line above. */
  private static String row(String label, String value) {
    return String.format("%-11s %s", label.isEmpty() ? "" : label + ":", value);
  }

  /** {@code HH:mm:ss} of an ISO-8601 instant, in the local zone; {@code --:--:--} without one. */
  private static String clock(String text) {
    Instant at = instant(text);
    return at == null ? "--:--:--" : CLOCK.format(at);
  }

  private static Instant instant(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
