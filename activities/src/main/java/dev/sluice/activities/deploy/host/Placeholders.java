package dev.sluice.activities.deploy.host;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code {{version}}}, {@code {{target}}}, {@code {{host}}} and {@code {{port}}} placeholders
 * of the command lists a service definition gives. Each is replaced inside one argument; a value
 * never becomes more than one argument, whatever it holds.
 */
final class Placeholders {

  static final Set<String> NAMES = Set.of("version", "target", "host", "port");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z]+)\\s*}}");

  private Placeholders() {}

  /** Refuses a command that names a placeholder this class does not know. */
  static void check(String owner, String setting, List<String> command) {
    Set<String> unknown = new TreeSet<>();
    for (String part : command) {
      Matcher m = PLACEHOLDER.matcher(part);
      while (m.find()) {
        if (!NAMES.contains(m.group(1))) {
          unknown.add(m.group(1));
        }
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigurationException(
          owner
              + ": setting '"
              + setting
              + "' has unknown placeholders "
              + unknown
              + ", known: "
              + new TreeSet<>(NAMES));
    }
  }

  /** {@code command} with every placeholder filled in for {@code target} and {@code version}. */
  static List<String> fill(List<String> command, Target target, String version) {
    Map<String, String> values =
        Map.of(
            "version", version == null ? "" : version,
            "target", target.id(),
            "host", target.host(),
            "port", Integer.toString(target.port()));
    List<String> filled = new ArrayList<>(command.size());
    for (String part : command) {
      Matcher m = PLACEHOLDER.matcher(part);
      filled.add(m.replaceAll(r -> Matcher.quoteReplacement(values.get(r.group(1)))));
    }
    return filled;
  }
}
