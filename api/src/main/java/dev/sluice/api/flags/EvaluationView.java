package dev.sluice.api.flags;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One evaluation, OpenFeature-style: an error is a result (reason {@code ERROR} with its code and
 * message), not a failed request. {@code value} is always there, {@code null} when no variant was
 * chosen (the caller's default applies); the string fields that do not apply are left out rather
 * than sent as {@code null}: {@code variant} when none was chosen, {@code errorCode} and {@code
 * message} when there was no error.
 */
public record EvaluationView(
    String key,
    Object value,
    @JsonInclude(JsonInclude.Include.NON_NULL) String variant,
    String reason,
    @JsonInclude(JsonInclude.Include.NON_NULL) String errorCode,
    @JsonInclude(JsonInclude.Include.NON_NULL) String message) {}
