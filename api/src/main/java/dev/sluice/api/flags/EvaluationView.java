package dev.sluice.api.flags;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One evaluation, OpenFeature-style: an error is a result (reason {@code ERROR} with its code and
 * message), not a failed request. Fields that do not apply are left out rather than sent as {@code
 * null}: {@code variant} and {@code value} when no variant was chosen, {@code errorCode} and {@code
 * message} when there was no error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationView(
    String key, Object value, String variant, String reason, String errorCode, String message) {}
