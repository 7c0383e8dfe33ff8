package dev.sluice.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** {@code GET /api/v1/audit}: who changed what, newest first. */
public record AuditView(List<Entry> entries) {

  public record Entry(
      long id, Instant at, String actor, String action, String subject, JsonNode details) {}
}
