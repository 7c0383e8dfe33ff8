package dev.sluice.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.List;

/**
 * The JSON rules of the API's bodies, set on the one ObjectMapper that reads every request and
 * writes every response: a value must have the JSON type its field declares.
 */
public final class ApiJson {

  private ApiJson() {}

  /** Applies the rules to the API's mapper (after the configuration file has been read). */
  public static void configure(ObjectMapper mapper) {
    // A misspelt field must be an error, not silently ignored: "bacthSize" would otherwise
    // deploy with the default batch size.
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    refuseCoercion(mapper);
    // Timestamps as ISO-8601 strings ("2026-12-02T17:08:24.741158Z"), not epoch seconds with
    // nanoseconds as a float; a java.time.Duration, should one ever be written, as ISO-8601 too
    // (the API's own durations are text such as "30s", which the bodies take as well).
    mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    mapper.disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
  }

  /**
   * No scalar is turned into another: {@code "version": 2} or {@code true} is not the version "2"
   * or "true", {@code "port": "9101"}, {@code 9101.5} or {@code ""} is not a port. Jackson's legacy
   * switch ({@code ALLOW_COERCION_OF_SCALARS}) does not cover strings, nor floats into whole
   * numbers, so each target type says what it refuses. A whole number into a decimal field ({@code
   * "maxErrorRate": 1}) stays allowed: it is the same value.
   */
  private static void refuseCoercion(ObjectMapper mapper) {
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    List<CoercionInputShape> scalars =
        List.of(
            CoercionInputShape.Integer,
            CoercionInputShape.Float,
            CoercionInputShape.Boolean,
            CoercionInputShape.String,
            CoercionInputShape.EmptyString);
    for (LogicalType type :
        List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
      for (CoercionInputShape shape : scalars) {
        if (!natural(type, shape)) {
          mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
        }
      }
    }
    // An empty string is not a missing object, list or enum either.
    mapper
        .coercionConfigDefaults()
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    mapper.coercionConfigDefaults().setAcceptBlankAsEmpty(false);
  }

  /** Whether {@code shape} is {@code type}'s own JSON form (so there is nothing to coerce). */
  private static boolean natural(LogicalType type, CoercionInputShape shape) {
    return switch (type) {
      case Textual -> shape == CoercionInputShape.String || shape == CoercionInputShape.EmptyString;
      case Float -> shape == CoercionInputShape.Float || shape == CoercionInputShape.Integer;
      case Integer -> shape == CoercionInputShape.Integer;
      case Boolean -> shape == CoercionInputShape.Boolean;
      default -> false;
    };
  }
}
