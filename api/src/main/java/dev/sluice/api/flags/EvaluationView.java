package dev.sluice.api.flags;

public record EvaluationView(
    String key, Object value, String variant, String reason, String errorCode, String message) {}
