package dev.sluice.api.deployments;

/**
 * Optional body of {@code POST /api/v1/services/{name}/rollback}.
 *
 * @param reason why, for the audit trail and the deployment's started event
 * @param fast an emergency rollback: no pauses, bakes, analysis, approval or monitoring window,
 *     batches as large as max-unavailable allows ({@link FastRollback})
 */
public record RollbackBody(String reason, Boolean fast) {

  boolean isFast() {
    return Boolean.TRUE.equals(fast);
  }
}
