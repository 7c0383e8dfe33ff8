package dev.sluice.flags;

import java.util.Map;

/**
 * The outcome of one evaluation. Errors are values: an evaluation never throws.
 *
 * <p>{@code value} is {@code null} when the caller's code default applies: the flag is disabled,
 * missing, erroneous, or has no {@code defaultVariant} and targeting fell through. Results of
 * successful evaluations are cached per flag and variant, so instances are shared: compare them by
 * content, not identity.
 *
 * @param value the variant's value, or {@code null} for "use your code default"
 * @param variant the variant's name, or {@code null} when no variant was chosen
 * @param reason why it resolved this way
 * @param errorCode set only when {@code reason} is {@link Reason#ERROR}
 * @param errorMessage a human-readable detail for errors, else {@code null}
 * @param flagMetadata the flag-set metadata overlaid with the flag's own (never {@code null})
 */
public record EvaluationResult<T>(
    T value,
    String variant,
    Reason reason,
    ErrorCode errorCode,
    String errorMessage,
    Map<String, Object> flagMetadata) {

  /** Whether the evaluation failed. */
  public boolean isError() {
    return errorCode != null;
  }

  /** The value, or {@code codeDefault} when the result carries none. */
  public T valueOr(T codeDefault) {
    return value != null ? value : codeDefault;
  }

  static <T> EvaluationResult<T> error(
      ErrorCode code, String message, Map<String, Object> metadata) {
    return new EvaluationResult<>(null, null, Reason.ERROR, code, message, metadata);
  }
}
