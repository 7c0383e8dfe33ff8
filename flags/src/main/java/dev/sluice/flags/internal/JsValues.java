package dev.sluice.flags.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JsonLogic's value semantics, which are JavaScript's: truthiness, loose ({@code ==}) and strict
 * ({@code ===}) equality, relational comparison and string conversion, over the normalised value
 * model ({@code null}, {@code String}, {@code Double}, {@code Boolean}, {@code Map<String,
 * Object>}, {@code List<Object>}).
 *
 * <p>None of these allocate for same-typed operands; coercions between strings and numbers parse.
 */
public final class JsValues {

  private JsValues() {}

  /** JsonLogic truthiness: {@code false}, {@code null}, 0, NaN, "" and [] are falsy. */
  public static boolean truthy(Object value) {
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof Double d) {
      return d != 0 && !d.isNaN();
    }
    if (value instanceof String s) {
      return !s.isEmpty();
    }
    if (value instanceof List<?> list) {
      return !list.isEmpty();
    }
    return true;
  }

  /** JavaScript {@code ===}: same type and equal; lists and maps only when the same instance. */
  public static boolean strictEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Double x && b instanceof Double y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof String || a instanceof Boolean) {
      return a.equals(b);
    }
    return a == b;
  }

  /**
   * JavaScript {@code ==}: {@code null} equals only {@code null}; a boolean compares as 1 or 0; a
   * string and a number compare as numbers; a list or map against a primitive compares as its
   * string form.
   */
  public static boolean looseEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.getClass() == b.getClass()) {
      return strictEquals(a, b);
    }
    if (a instanceof Boolean x) {
      return looseEquals(x ? ONE : ZERO, b);
    }
    if (b instanceof Boolean y) {
      return looseEquals(a, y ? ONE : ZERO);
    }
    if (a instanceof Double x && b instanceof String y) {
      return x == toNumber(y);
    }
    if (a instanceof String x && b instanceof Double y) {
      return toNumber(x) == y;
    }
    boolean aObject = a instanceof List || a instanceof Map;
    boolean bObject = b instanceof List || b instanceof Map;
    if (aObject && !bObject) {
      return looseEquals(toJsString(a), b);
    }
    if (bObject && !aObject) {
      return looseEquals(a, toJsString(b));
    }
    return false;
  }

  /**
   * JavaScript's relational comparison: two strings compare by UTF-16 code units, anything else as
   * numbers. Returns negative, zero or positive, or {@link #UNORDERED} when either side is NaN
   * (every relational operator is then false).
   */
  public static int compare(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return compareNumbers(x, y);
    }
    Object pa = a instanceof List || a instanceof Map ? toJsString(a) : a;
    Object pb = b instanceof List || b instanceof Map ? toJsString(b) : b;
    if (pa instanceof String x && pb instanceof String y) {
      return Integer.signum(x.compareTo(y));
    }
    return compareNumbers(toNumber(pa), toNumber(pb));
  }

  /** Result of {@link #compare} when the operands have no order. */
  public static final int UNORDERED = Integer.MIN_VALUE;

  private static int compareNumbers(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return UNORDERED;
    }
    return x < y ? -1 : (x > y ? 1 : 0);
  }

  private static final Double ONE = 1.0;
  private static final Double ZERO = 0.0;

  /** JavaScript's {@code Number(value)}. */
  public static double toNumber(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof Double d) {
      return d;
    }
    if (value instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (value instanceof String s) {
      return parseNumber(s);
    }
    if (value instanceof List<?>) {
      return parseNumber(toJsString(value));
    }
    return Double.NaN;
  }

  private static double parseNumber(String raw) {
    String s = raw.strip();
    if (s.isEmpty()) {
      return 0;
    }
    switch (s) {
      case "Infinity", "+Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      // Java's parser also takes "1d", "0x1p3", "NaN": JavaScript's Number() does not.
      if (!(c >= '0' && c <= '9') && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
        return Double.NaN;
      }
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** JavaScript's {@code String(value)}, with {@code null} as "" (as JsonLogic's {@code cat}). */
  public static String toJsString(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Double d) {
      return numberToString(d);
    }
    if (value instanceof List<?> list) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(toJsString(list.get(i)));
      }
      return out.toString();
    }
    if (value instanceof Map<?, ?>) {
      return "[object Object]";
    }
    return value.toString();
  }

  /** A number as JavaScript prints it, for the common cases: integers without ".0". */
  public static String numberToString(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      return Long.toString((long) d);
    }
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    return Double.toString(d);
  }

  /**
   * Copies a JSON-like Java value into the normalised model: numbers become {@code Double},
   * character sequences {@code String}, maps and lists unmodifiable deep copies.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Object normalize(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Double) {
      return value;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof CharSequence cs) {
      return cs.toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String key)) {
          throw new IllegalArgumentException("map keys must be strings: " + entry.getKey());
        }
        copy.put(key, normalize(entry.getValue()));
      }
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(normalize(element));
      }
      return Collections.unmodifiableList(copy);
    }
    throw new IllegalArgumentException(
        "not a JSON-like value: " + value.getClass().getName() + " " + value);
  }
}
