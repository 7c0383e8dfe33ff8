package dev.sluice.api.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/services/{name}/history}: the versions that ran, oldest first, and the answer
 * to "which version was running before?".
 *
 * @param current version the whole fleet runs after the last deployment; null when mixed
 * @param previous the version that ran before {@code current}
 * @param targets what each target runs, as the ledger last recorded it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceHistory(
    String service,
    String current,
    String previous,
    Map<String, String> targets,
    List<Entry> versions) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(
      String version,
      String previousVersion,
      String outcome,
      String currentVersion,
      String deploymentId,
      Instant startedAt,
      Instant finishedAt) {}
}
