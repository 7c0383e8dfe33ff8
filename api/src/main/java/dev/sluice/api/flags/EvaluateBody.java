package dev.sluice.api.flags;

import java.util.Map;

/** Body of an evaluation: the evaluation context ({@code targetingKey} and attributes). */
public record EvaluateBody(Map<String, Object> context) {}
