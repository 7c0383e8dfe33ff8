package dev.sluice.api.common;

import dev.sluice.api.errors.ApiException;

/**
 * Query parameters read by hand: JAX-RS answers 404 when it cannot convert one, which would tell
 * the client the resource is missing rather than that the parameter is wrong.
 */
public final class Params {

  private Params() {}

  public static int integer(String name, String raw, int fallback, int min, int max) {
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw ApiException.badRequest(name, "must be a whole number between " + min + " and " + max);
  }
}
