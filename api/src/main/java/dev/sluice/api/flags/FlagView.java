package dev.sluice.api.flags;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A flag on the wire. */
public record FlagView(
    String key,
    int version,
    String type,
    String owner,
    Integer lifetimeDays,
    JsonNode definition,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy) {}
