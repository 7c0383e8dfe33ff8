package dev.sluice.api.errors;

import dev.sluice.api.common.ErrorBody;
import dev.sluice.api.common.ErrorBody.FieldError;
import java.util.List;
import java.util.Map;

/** An expected error with the status and body the client should get. Never logged as a failure. */
public class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ErrorBody body;

  public ApiException(ErrorBody body) {
    super(body.message());
    this.body = body;
  }

  public ErrorBody body() {
    return body;
  }

  public int status() {
    return body.code();
  }

  /** 400: the request cannot be read (malformed JSON, unknown field, wrong type). */
  public static ApiException badRequest(String field, String message) {
    return new ApiException(
        new ErrorBody(
            400, "bad_request", message, field, List.of(new FieldError(field, message)), null));
  }

  /** 400 naming every unreadable field. */
  public static ApiException badRequest(List<FieldError> problems) {
    FieldError first = problems.get(0);
    String message =
        problems.size() == 1
            ? first.field() + ": " + first.message()
            : problems.size() + " bad fields; first " + first.field() + ": " + first.message();
    return new ApiException(
        new ErrorBody(400, "bad_request", message, first.field(), problems, null));
  }

  /** 422: the request was read but its values are invalid; lists every problem found. */
  public static ApiException invalid(List<FieldError> problems) {
    FieldError first = problems.get(0);
    String message =
        problems.size() == 1
            ? first.field() + ": " + first.message()
            : problems.size() + " invalid fields; first " + first.field() + ": " + first.message();
    return new ApiException(new ErrorBody(422, "invalid", message, first.field(), problems, null));
  }

  public static ApiException invalid(String field, String message) {
    return invalid(List.of(new FieldError(field, message)));
  }

  /**
   * This error as it reads when the checked object sits under {@code prefix} in a larger request (a
   * release's {@code deployment}): every field named becomes {@code prefix.field}, and the message
   * names them so. Errors naming no field get the prefix as their field.
   */
  public ApiException nested(String prefix) {
    if (body.code() != 400 && body.code() != 422) {
      return this;
    }
    List<FieldError> errors =
        body.errors() == null || body.errors().isEmpty()
            ? List.of(new FieldError(body.field(), body.message()))
            : body.errors();
    List<FieldError> nested =
        errors.stream()
            .map(
                e ->
                    new FieldError(
                        e.field() == null || e.field().isBlank()
                            ? prefix
                            : prefix + "." + e.field(),
                        e.message()))
            .toList();
    return body.code() == 400 ? badRequest(nested) : invalid(nested);
  }

  public static ApiException notFound(String what) {
    return new ApiException(new ErrorBody(404, "not_found", what, null, null, null));
  }

  public static ApiException conflict(String error, String message, Map<String, Object> details) {
    return new ApiException(new ErrorBody(409, error, message, null, null, details));
  }

  public static ApiException unavailable(String message) {
    return new ApiException(new ErrorBody(503, "unavailable", message, null, null, null));
  }
}
