package dev.sluice.api.common;

import dev.sluice.api.errors.ApiException;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowServiceException;

/**
 * Starting a workflow for the API: when Temporal does not answer the start, the request is a 503
 * that says where to look, never a 500. Nothing after the start (the audit, the answer) runs then.
 */
public final class WorkflowStarts {

  private WorkflowStarts() {}

  /**
   * Runs {@code start} (a {@code WorkflowClient.start}).
   *
   * @param what what is started, for the message: {@code "the migration on app"}
   * @param where where its state can be asked for later: {@code "GET /api/v1/migrations/app"}
   * @throws WorkflowExecutionAlreadyStarted as {@code start} throws it, for the caller's 409
   * @throws ApiException 503 when Temporal did not answer
   */
  public static void start(Runnable start, String what, String where) {
    try {
      start.run();
    } catch (WorkflowServiceException e) {
      throw ApiException.unavailable(
          "Temporal did not answer the start of "
              + what
              + " ("
              + rootMessage(e)
              + "); it may not have started: "
              + where
              + " later");
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
