package dev.sluice.api.flags;

import com.fasterxml.jackson.databind.JsonNode;

/** Body of create and update; {@code key} only on create. */
public record FlagBody(
    String key,
    String type,
    String owner,
    Integer lifetimeDays,
    JsonNode definition,
    String reason) {}
