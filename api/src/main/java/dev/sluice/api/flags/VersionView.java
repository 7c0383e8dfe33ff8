package dev.sluice.api.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record VersionView(
    int version,
    String action,
    JsonNode definition,
    String type,
    String owner,
    Integer lifetimeDays,
    String actor,
    String reason,
    Instant at) {}
