package dev.sluice.api.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request body Jackson could not read becomes a 400 naming the field and the reason: malformed
 * JSON, an unknown field, a value of the wrong type; one over the API's limits on list sizes and
 * string lengths ({@link BoundedJsonFactory}) a 422.
 */
@Provider
public class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {

  private final ApiExceptionMapper delegate = new ApiExceptionMapper();

  @Override
  public Response toResponse(JsonProcessingException exception) {
    return delegate.toResponse(translate(exception));
  }

  /** The 400 for a body Jackson could not read. */
  public static ApiException translate(JsonProcessingException exception) {
    BodyTooLargeException tooLarge = BodyTooLargeException.in(exception);
    if (tooLarge != null) {
      return tooLarge.asApiException();
    }
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof LimitExceededException limit) {
        return ApiException.invalid(limit.field() == null ? "body" : limit.field(), limit.reason());
      }
      if (t instanceof StreamConstraintsException limit
          && limit.getOriginalMessage().startsWith("String value length")
          && exception instanceof JsonMappingException mapping) {
        String field = path(mapping);
        return ApiException.invalid(
            field == null ? "body" : field,
            "at most "
                + limit.getOriginalMessage().replaceAll("(?s).*maximum allowed \\((\\d+).*", "$1")
                + " characters (limits.maxStringLength)");
      }
      if (t instanceof StreamConstraintsException limit) {
        // The reader's own limits (number length, nesting depth): said without Jackson's names.
        return ApiException.badRequest(
            null,
            "request body refused: "
                + limit.getOriginalMessage().replaceAll(",? from `[^`]*`", "").replace("()", ""));
      }
    }
    JsonParseException parse = parseError(exception);
    if (parse != null) {
      return ApiException.badRequest(
          null,
          "malformed JSON at line "
              + parse.getLocation().getLineNr()
              + ", column "
              + parse.getLocation().getColumnNr()
              + ": "
              + withoutSource(parse.getOriginalMessage()));
    }
    if (exception instanceof UnrecognizedPropertyException unknown) {
      String field = path(unknown);
      return ApiException.badRequest(
          field,
          "unknown field '"
              + unknown.getPropertyName()
              + "'"
              + (unknown.getKnownPropertyIds() == null
                  ? ""
                  : "; known fields: " + unknown.getKnownPropertyIds()));
    }
    if (exception instanceof MismatchedInputException mismatch && path(mismatch) != null) {
      String given = coerced(mismatch.getOriginalMessage());
      if (given != null) {
        String field = path(mismatch);
        return ApiException.badRequest(
            field, field + ": expected " + simpleType(mismatch) + ", not " + given);
      }
    }
    if (exception instanceof InvalidFormatException format) {
      return ApiException.badRequest(
          path(format), "cannot read " + quote(format.getValue()) + " as " + simpleType(format));
    }
    if (exception instanceof MismatchedInputException mismatch) {
      String field = path(mismatch);
      if (field == null) {
        return ApiException.badRequest(null, "request body must be a JSON object");
      }
      return ApiException.badRequest(field, field + ": expected " + simpleType(mismatch) + " here");
    }
    if (exception instanceof JsonMappingException mapping) {
      Throwable cause = mapping.getCause();
      String reason =
          cause != null && cause.getMessage() != null
              ? cause.getMessage()
              : mapping.getOriginalMessage();
      return ApiException.badRequest(path(mapping), reason);
    }
    return ApiException.badRequest(
        null, "cannot read the request body: " + exception.getOriginalMessage());
  }

  /**
   * What the client sent, in its words ("the number 2", "true", "an empty string"), when Jackson
   * refused to coerce it to the field's type; {@code null} for other format errors.
   */
  private static String coerced(String message) {
    Matcher m = COERCION.matcher(message == null ? "" : message);
    if (!m.find()) {
      return null;
    }
    String shape = m.group(1);
    String value = m.group(2);
    return switch (shape) {
      case "Integer value", "Float value", "Floating-point value" -> "the number " + value;
      case "Boolean value" -> value;
      case "String value" -> "the string " + value;
      case "blank String" -> "a blank string";
      default -> "an empty string";
    };
  }

  private static final Pattern COERCION =
      Pattern.compile(
          "^Cannot coerce (Integer value|Float value|Floating-point value|Boolean value|String value|empty"
              + " String|blank String) \\((.*?)\\) to ");

  /** Jackson's message without its "[Source: …]" location noise. */
  private static String withoutSource(String message) {
    return message
        .replaceAll("\\s*\\(start marker at \\[Source:.*?\\]\\)", "")
        .replaceAll("(?s)\\n at \\[Source.*", "")
        .strip();
  }

  /** The syntax error behind {@code exception}, if that is what it is. */
  private static JsonParseException parseError(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof JsonParseException parse) {
        return parse;
      }
    }
    return null;
  }

  /** {@code fleet[1].port} from Jackson's reference chain. */
  static String path(JsonMappingException exception) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : exception.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? null : path.toString();
  }

  private static String simpleType(MismatchedInputException exception) {
    Class<?> type = exception.getTargetType();
    if (type == null) {
      return "another type";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "an object";
    }
    return type.getSimpleName();
  }

  private static String quote(Object value) {
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }
}
