package dev.sluice.activities;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of an adapter's settings map, with errors that name the setting. Durations accept
 * {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, ISO-8601 ({@code PT10S}) or a number of
 * seconds.
 */
public final class Settings {

  private final String owner;
  private final Map<String, Object> values;

  public Settings(String owner, Map<String, Object> values) {
    this.owner = owner;
    this.values = values == null ? Map.of() : values;
  }

  public String string(String key, String fallback) {
    Object value = values.get(key);
    return value == null ? fallback : value.toString();
  }

  public String requiredString(String key) {
    Object value = values.get(key);
    if (value == null || value.toString().isBlank()) {
      throw new ConfigurationException(owner + ": setting '" + key + "' is required");
    }
    return value.toString();
  }

  /** {@code true}/{@code false} (a JSON boolean or those words); anything else is an error. */
  public boolean bool(String key, boolean fallback) {
    Object value = values.get(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    return switch (value.toString().trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new ConfigurationException(owner + ": setting '" + key + "' must be true or false");
    };
  }

  /** The raw value of {@code key} (a string, number, boolean, list or map), or null. */
  public Object value(String key) {
    return values.get(key);
  }

  /** The nested settings object under {@code key} (empty when absent), named {@code owner key}. */
  @SuppressWarnings("unchecked")
  public Settings section(String key) {
    Object value = values.get(key);
    if (value == null) {
      return new Settings(owner + " " + key, Map.of());
    }
    if (value instanceof Map<?, ?> map) {
      return new Settings(owner + " " + key, (Map<String, Object>) map);
    }
    throw new ConfigurationException(owner + ": setting '" + key + "' must be an object");
  }

  /**
   * Refuses a key outside {@code known}: a misspelt setting (or a secret pasted where a reference
   * belongs) must not pass silently.
   */
  public void refuseUnknown(Set<String> known) {
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new ConfigurationException(
          owner + ": unknown settings " + unknown + "; known: " + new TreeSet<>(known));
    }
  }

  /** Who these settings belong to, as error messages name it. */
  public String owner() {
    return owner;
  }

  public int integer(String key, int fallback) {
    Object value = values.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigurationException(owner + ": setting '" + key + "' must be a whole number");
    }
  }

  public Duration duration(String key, Duration fallback) {
    Object value = values.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return parseDuration(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          owner + ": setting '" + key + "' must be a duration like 10s: " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  public List<String> stringList(String key, List<String> fallback) {
    Object value = values.get(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    throw new ConfigurationException(owner + ": setting '" + key + "' must be a list of strings");
  }

  @SuppressWarnings("unchecked")
  public Map<String, String> stringMap(String key) {
    Object value = values.get(key);
    if (value == null) {
      return Map.of();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, String> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
      return out;
    }
    throw new ConfigurationException(owner + ": setting '" + key + "' must be an object");
  }

  /** Parses a duration in the forms this class documents. */
  public static Duration parseDuration(Object value) {
    if (value instanceof Number n) {
      return Duration.ofMillis(Math.round(n.doubleValue() * 1000));
    }
    String text = value.toString().trim();
    if (text.startsWith("P") || text.startsWith("p")) {
      return Duration.parse(text);
    }
    Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?").matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("cannot read \"" + text + "\"");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis =
        switch (unit) {
          case "ms" -> amount;
          case "s" -> amount * 1_000;
          case "m" -> amount * 60_000;
          case "h" -> amount * 3_600_000;
          default -> amount * 86_400_000;
        };
    return Duration.ofMillis(Math.round(millis));
  }
}
