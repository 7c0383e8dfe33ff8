package dev.sluice.api.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** {@code GET /api/v1/audit}: who changed what, newest first. */
public record AuditView(List<Entry> entries) {

  /**
   * One mutation; {@code role} and {@code source} (the caller's role and address) are there for
   * changes a request of the API made.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(
      long id,
      Instant at,
      String actor,
      String role,
      String source,
      String action,
      String subject,
      JsonNode details) {}
}
