package dev.sluice.api.common;

import dev.sluice.activities.Settings;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.model.IntOrPercent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Collects every problem with a request, so one answer names them all. */
public final class Problems {

  private final List<FieldError> problems = new ArrayList<>();

  /** The longest part of a refused value an error message repeats. */
  static final int SHOWN = 80;

  /**
   * A refused value as an error message repeats it: in quotes, cut after {@link #SHOWN} characters
   * with its length named, so a megabyte-long value does not come back in the answer.
   */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    if (value.length() <= SHOWN) {
      return "\"" + value + "\"";
    }
    return "\"" + value.substring(0, SHOWN) + "…\" (" + value.length() + " characters)";
  }

  public void add(String field, String message) {
    problems.add(new FieldError(field, message));
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  /** Throws a 422 naming every problem, if there is any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw ApiException.invalid(List.copyOf(problems));
    }
  }

  /** Throws a 400 naming every problem, if there is any (for requests that are not stored). */
  public void throwIfAnyAs400() {
    if (!problems.isEmpty()) {
      throw ApiException.badRequest(List.copyOf(problems));
    }
  }

  /** A positive duration, or null (with a problem added) when the text is not one. */
  public Duration duration(String field, String text) {
    if (text == null) {
      return null;
    }
    try {
      Duration value = Settings.parseDuration(text);
      if (value.isNegative() || value.isZero()) {
        add(field, "must be a positive duration");
        return null;
      }
      return value;
    } catch (RuntimeException e) {
      add(field, "must be a duration like \"10s\", \"2m\" or \"PT30S\", got " + quote(text));
      return null;
    }
  }

  /** A duration that may be zero (pauses). */
  public Duration durationOrZero(String field, String text) {
    if (text == null) {
      return null;
    }
    try {
      Duration value = Settings.parseDuration(text);
      if (value.isNegative()) {
        add(field, "must not be negative");
        return null;
      }
      return value;
    } catch (RuntimeException e) {
      add(field, "must be a duration like \"10s\", \"2m\" or \"PT30S\", got " + quote(text));
      return null;
    }
  }

  /** A count or percentage of at least 1 (or 1%), or null with a problem added. */
  public IntOrPercent quantity(String field, Object raw) {
    if (raw == null) {
      return null;
    }
    try {
      IntOrPercent value = IntOrPercent.parse(raw);
      if (value.value() <= 0) {
        add(field, "must be at least 1 (or 1%), got " + raw);
        return null;
      }
      return value;
    } catch (IllegalArgumentException e) {
      add(field, e.getMessage());
      return null;
    }
  }
}
