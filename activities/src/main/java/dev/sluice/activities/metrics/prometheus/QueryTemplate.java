package dev.sluice.activities.metrics.prometheus;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.Target;
import dev.sluice.ports.MetricProvider.Query;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PromQL query with {@code {{name}}} placeholders, checked when the provider is built and filled
 * in for each fetch. Placeholders (spaces inside the braces allowed):
 *
 * <ul>
 *   <li>{@code {{group}}}, {@code {{service}}}, {@code {{version}}}: the query's values, escaped
 *       for a double-quoted PromQL string, e.g. {@code version="{{version}}"}.
 *   <li>{@code {{window}}}: the query's window as a PromQL duration, {@code 30s} or {@code 1500ms},
 *       e.g. {@code [{{window}}]}.
 *   <li>{@code {{instances}}}: a regular expression matching exactly the group's targets' {@code
 *       host:port} (the {@code instance} label Prometheus gives a statically configured target),
 *       escaped for a double-quoted PromQL string, e.g. {@code instance=~"{{instances}}"}; for
 *       targets {@code 10.0.0.1:8080} and {@code 10.0.0.2:8080} it renders as {@code
 *       10\\.0\\.0\\.1:8080|10\\.0\\.0\\.2:8080}.
 * </ul>
 */
record QueryTemplate(String text) {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z]+)\\s*}}");
  private static final Set<String> NAMES =
      Set.of("group", "service", "version", "window", "instances");

  /**
   * Checks the placeholders of {@code text}, the query of {@code where}.
   *
   * @throws ConfigurationException for a blank query or an unknown placeholder
   */
  static QueryTemplate parse(String where, Object text) {
    if (!(text instanceof String string) || string.isBlank()) {
      throw new ConfigurationException("prometheus: " + where + " must be a PromQL query string");
    }
    Matcher m = PLACEHOLDER.matcher(string);
    while (m.find()) {
      if (!NAMES.contains(m.group(1))) {
        throw new ConfigurationException(
            "prometheus: "
                + where
                + " has an unknown placeholder {{"
                + m.group(1)
                + "}}; known: {{group}}, {{service}}, {{version}}, {{window}}, {{instances}}");
      }
    }
    return new QueryTemplate(string.strip());
  }

  /** Whether the query filters by the group's targets. */
  boolean usesInstances() {
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      if (m.group(1).equals("instances")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The query with every placeholder filled in from {@code query}.
   *
   * @throws ConfigurationException when a placeholder's value is missing: no window, or no service,
   *     group or version
   */
  String render(Query query) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "group" -> string("group", query.group());
            case "service" -> string("service", query.service());
            case "version" -> string("version", query.version());
            case "window" -> duration(query.window());
            default -> instances(query);
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@code window} as a PromQL duration: whole seconds as {@code 30s}, otherwise milliseconds. */
  static String duration(Duration window) {
    if (window == null || window.toMillis() <= 0) {
      throw new ConfigurationException(
          "prometheus: a query's window must be at least 1ms, not " + window);
    }
    long millis = window.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** {@code value} escaped for a double-quoted PromQL string. */
  static String escape(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * An RE2 alternation matching exactly the targets' {@code host:port}, escaped by {@link #escape}.
   */
  static String instances(Query query) {
    StringBuilder regex = new StringBuilder();
    for (Target target : query.targets()) {
      if (!regex.isEmpty()) {
        regex.append('|');
      }
      for (char c : target.address().toCharArray()) {
        if (!Character.isLetterOrDigit(c) && c != ':' && c != '-' && c != '_') {
          regex.append('\\');
        }
        regex.append(c);
      }
    }
    return escape(regex.toString());
  }

  private String string(String name, String value) {
    if (value == null) {
      throw new ConfigurationException(
          "prometheus: query '" + text + "' uses {{" + name + "}}, which this fetch does not give");
    }
    return escape(value);
  }
}
