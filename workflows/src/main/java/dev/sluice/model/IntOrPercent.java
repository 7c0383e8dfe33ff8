package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A count ({@code 2}) or a share of a total ({@code "25%"}), as Kubernetes' IntOrString: used for
 * batch sizes and max-unavailable.
 */
public record IntOrPercent(int value, boolean percent) {

  public IntOrPercent {
    if (value < 0) {
      throw new IllegalArgumentException("must not be negative: " + value);
    }
    if (percent && value > 100) {
      throw new IllegalArgumentException("percentage above 100: " + value + "%");
    }
  }

  public static IntOrPercent count(int value) {
    return new IntOrPercent(value, false);
  }

  public static IntOrPercent percent(int value) {
    return new IntOrPercent(value, true);
  }

  /**
   * Parses {@code 3}, {@code "3"} or {@code "25%"}.
   *
   * @throws IllegalArgumentException with a message fit for a user when the text is neither
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static IntOrPercent parse(Object raw) {
    if (raw instanceof Number n) {
      double value = n.doubleValue();
      if (value != Math.rint(value)) {
        throw new IllegalArgumentException("must be a whole number or a percentage like \"25%\"");
      }
      if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
        throw new IllegalArgumentException("is far too large: " + n);
      }
      return count(n.intValue());
    }
    if (raw instanceof String s) {
      String text = s.trim();
      try {
        if (text.endsWith("%")) {
          return percent(Integer.parseInt(text.substring(0, text.length() - 1).trim()));
        }
        return count(Integer.parseInt(text));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "must be a whole number or a percentage like \"25%\", got \"" + s + "\"");
      }
    }
    throw new IllegalArgumentException("must be a whole number or a percentage like \"25%\"");
  }

  /**
   * This quantity applied to {@code total}: a percentage rounds down, as Kubernetes does for
   * max-unavailable, so a share never takes out more targets than it says.
   */
  public int of(int total) {
    return percent ? (int) Math.floor(total * (value / 100.0)) : value;
  }

  @JsonValue
  @Override
  public String toString() {
    return percent ? value + "%" : Integer.toString(value);
  }
}
