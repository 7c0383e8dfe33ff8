package dev.sluice.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Every error the API answers with: an HTTP status, a stable machine-readable {@code error} code, a
 * sentence, and the offending field(s) where there are any.
 *
 * @param field the first (or only) offending field, as a JSON path such as {@code fleet[1].port}
 * @param errors every problem found, when validation found several
 * @param details extra facts, e.g. the running deployment's id on a 409
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ErrorBody(
    int code,
    String error,
    String message,
    String field,
    List<FieldError> errors,
    Map<String, Object> details) {

  /**
   * One problem with one field.
   *
   * @param field the field as a JSON path; absent when the problem is the body as a whole (not a
   *     JSON object, malformed JSON, over the reader's limits)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FieldError(String field, String message) {}
}
