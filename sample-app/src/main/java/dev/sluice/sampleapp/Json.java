package dev.sluice.sampleapp;

import java.util.Map;

/** Just enough JSON writing for flat and one-level-nested objects of strings and numbers. */
final class Json {

  private Json() {}

  /** Writes {@code fields} as a JSON object; values may be strings, numbers, booleans or maps. */
  static String object(Map<String, ?> fields) {
    StringBuilder out = new StringBuilder("{");
    fields.forEach(
        (key, value) -> {
          if (out.length() > 1) {
            out.append(',');
          }
          out.append(string(key)).append(':').append(value(value));
        });
    return out.append('}').toString();
  }

  private static String value(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof Map<?, ?> map) {
      StringBuilder nested = new StringBuilder("{");
      map.forEach(
          (key, inner) -> {
            if (nested.length() > 1) {
              nested.append(',');
            }
            nested.append(string(String.valueOf(key))).append(':').append(value(inner));
          });
      return nested.append('}').toString();
    }
    return string(value.toString());
  }

  static String string(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
