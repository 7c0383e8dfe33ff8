package dev.sluice.api.common;

import dev.sluice.api.errors.ApiException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Workflow queries for the API, bounded in time. A query is answered by a worker; when none runs
 * (all restarting, or killed), Temporal holds it, and a request must not hang with it. Signals, on
 * the other hand, are stored by Temporal whether a worker runs or not: a control that can be a
 * signal is sent even when the status query goes unanswered.
 */
public final class Queries {

  /** How long a status query may wait for a worker. */
  public static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Most queries waiting for a worker at once; beyond it, requests are answered "no worker". */
  static final int MAX_WAITING = 32;

  /**
   * Bounded: a query given up on keeps its thread until the SDK's own deadline, and pollers during
   * a worker outage must not pile threads up.
   */
  private static final ExecutorService POOL =
      new ThreadPoolExecutor(
          0,
          MAX_WAITING,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          runnable -> {
            Thread thread = new Thread(runnable, "sluice-query");
            thread.setDaemon(true);
            return thread;
          });

  private Queries() {}

  /**
   * The query's answer, or empty when no worker answered within {@link #TIMEOUT}.
   *
   * @throws WorkflowNotFoundException when Temporal has no such workflow
   */
  public static <T> Optional<T> within(Supplier<T> query) {
    CompletableFuture<T> answer;
    try {
      answer = CompletableFuture.supplyAsync(query, POOL);
    } catch (RejectedExecutionException busy) {
      return Optional.empty(); // MAX_WAITING queries already wait for a worker
    }
    try {
      return Optional.of(answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      answer.cancel(true);
      return Optional.empty();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WorkflowNotFoundException notFound) {
        throw notFound;
      }
      if (e.getCause() instanceof RuntimeException failed) {
        throw failed;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while waiting for a worker's answer");
    }
  }

  /**
   * Queries for one list answer, each bounded like {@link #within}: once one goes unanswered (no
   * worker), the rest are not asked, so a list of n items waits {@link #TIMEOUT} once rather than n
   * times. Not thread-safe: one per request.
   */
  public static final class ForList {
    private boolean unanswered;

    /** The query's answer; empty when no worker answered it or an earlier one. */
    public <T> Optional<T> within(Supplier<T> query) {
      if (unanswered) {
        return Optional.empty();
      }
      Optional<T> answer = Queries.within(query);
      unanswered = answer.isEmpty();
      return answer;
    }
  }

  /** As {@link #within}, answering 503 when no worker answered in time. */
  public static <T> T orUnavailable(Supplier<T> query, String what) {
    return within(query)
        .orElseThrow(
            () ->
                ApiException.unavailable(
                    "no worker answered for "
                        + what
                        + " within "
                        + TIMEOUT.toSeconds()
                        + " s; is a worker running?"));
  }

  /**
   * Whether Temporal runs a workflow {@code workflowId} now (asked of the server, no worker
   * needed).
   */
  public static boolean running(WorkflowClient client, String workflowId) {
    return describe(client, workflowId)
        .map(d -> d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING)
        .orElse(false);
  }

  /**
   * The workflow id of {@code workflowId}'s parent (a release, for its migration), if it has one.
   */
  public static Optional<String> parent(WorkflowClient client, String workflowId) {
    return describe(client, workflowId)
        .filter(d -> d.getWorkflowExecutionInfo().hasParentExecution())
        .map(d -> d.getParentExecution().getWorkflowId());
  }

  /** Temporal's description of a workflow (no worker needed); empty when it has none. */
  private static Optional<WorkflowExecutionDescription> describe(
      WorkflowClient client, String workflowId) {
    try {
      return Optional.of(client.newUntypedWorkflowStub(workflowId).describe());
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    } catch (WorkflowServiceException e) {
      throw ApiException.unavailable("Temporal did not answer: " + e.getMessage());
    }
  }

  /**
   * Sends a control as a signal: 409 when the workflow has ended meanwhile, 503 when Temporal
   * cannot be reached.
   */
  public static void signal(WorkflowClient client, String workflowId, String action, Object arg) {
    try {
      client.newUntypedWorkflowStub(workflowId).signal(action, arg);
    } catch (WorkflowNotFoundException e) {
      throw ApiException.conflict(
          "not_running", action + ": " + workflowId + " is no longer running", Map.of());
    } catch (WorkflowServiceException e) {
      throw ApiException.unavailable(
          action + ": Temporal did not take the signal: " + e.getMessage());
    }
  }

  /**
   * The answer to a control sent as a signal while no worker could say where the workflow stands:
   * accepted, to apply when a worker picks it up.
   */
  public static Map<String, Object> pending(String workflowId, String action) {
    return Map.of(
        "id",
        workflowId,
        "action",
        action,
        "accepted",
        true,
        "message",
        action
            + " sent; no worker answered for the current state within "
            + TIMEOUT.toSeconds()
            + " s, so it applies when a worker picks it up (the workflow refuses it then if it no"
            + " longer applies)");
  }
}
