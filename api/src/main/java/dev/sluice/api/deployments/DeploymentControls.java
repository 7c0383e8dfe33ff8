package dev.sluice.api.deployments;

import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.DeploymentState;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.ControlResponse;
import dev.sluice.workflows.DeploymentWorkflow;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.client.WorkflowUpdateTimeoutOrCancelledException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The controls of a running deployment (pause, resume, abort, promote, retry) as Temporal updates,
 * each audited whatever its outcome; a retry the ledger can already refuse is refused before it is
 * sent.
 */
final class DeploymentControls {

  private final Ledger ledger;
  private final WorkflowClient client;

  DeploymentControls(Ledger ledger, WorkflowClient client) {
    this.ledger = ledger;
    this.client = client;
  }

  static final Set<String> CONTROLS =
      Set.of(
          DeploymentWorkflow.PAUSE,
          DeploymentWorkflow.RESUME,
          DeploymentWorkflow.ABORT,
          DeploymentWorkflow.PROMOTE,
          DeploymentWorkflow.RETRY);

  /** Longest reason a control may carry: it ends up in events and the audit trail. */
  static final int MAX_REASON = 1000;

  /** How long a control waits for a worker to accept it before answering 503. */
  static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);

  private final ExecutorService controls = Executors.newCachedThreadPool(daemon());

  /**
   * A retry the ledger can already refuse: of a deployment that succeeded, or of one that a later
   * deployment of the service followed (the retry would deploy an older version over it). The
   * workflow checks the second again when it takes the service's lock, so a race cannot slip by.
   */
  private void refuseStaleRetry(DeploymentRecord record, String actor, Map<String, Object> audit) {
    String message = null;
    Map<String, Object> details = Map.of();
    if (record.state() == DeploymentState.SUCCEEDED) {
      message = "retry: deployment succeeded; start a new deployment to deploy again";
    } else {
      Optional<String> later = ledger.newerDeployment(record.service(), record.id());
      if (later.isPresent()) {
        message =
            "retry: deployment "
                + later.get()
                + " of "
                + record.service()
                + " began after this one; retrying would deploy "
                + record.version()
                + " over it. Start a new deployment instead";
        details = Map.of("newerDeployment", "/api/v1/deployments/" + later.get());
      }
    }
    if (message != null) {
      audit.put("outcome", "rejected: " + message);
      ledger.audit(actor, "deployment.retry", record.id(), audit);
      throw ApiException.conflict("rejected", message, details);
    }
  }

  /**
   * The outcome of a control sent earlier: accepted (with the workflow's answer), rejected (with
   * its reason) or still pending, asked of Temporal for at most a second.
   */
  public ControlView controlOutcome(String id, String controlId) {
    DeploymentRecord record =
        ledger.deployment(id).orElseThrow(() -> ApiException.notFound("no deployment " + id));
    WorkflowStub stub = client.newUntypedWorkflowStub(record.id());
    try {
      ControlResponse response =
          stub.getUpdateHandle(controlId, ControlResponse.class)
              .getResultAsync(1, TimeUnit.SECONDS)
              .get(5, TimeUnit.SECONDS);
      return ControlView.accepted(id, null, controlId, response);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof WorkflowUpdateException rejected) {
        return ControlView.rejected(id, controlId, rejectionMessage(rejected));
      }
      if (cause instanceof TimeoutException
          || cause instanceof WorkflowUpdateTimeoutOrCancelledException) {
        return ControlView.pending(id, null, controlId, "no worker has taken it yet");
      }
      throw ApiException.notFound(
          "no control "
              + controlId
              + " of deployment "
              + id
              + " is known to Temporal ("
              + cause.getMessage()
              + "); a control not yet taken by a worker is lost if the Temporal server restarts");
    } catch (TimeoutException e) {
      return ControlView.pending(id, null, controlId, "no worker has taken it yet");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted");
    }
  }

  /** Sends a control to the deployment's workflow and audits it, accepted or not. */
  public ControlView control(String id, String action, ControlBody body, String actor) {
    if (!CONTROLS.contains(action)) {
      throw ApiException.notFound("unknown action \"" + action + "\"; actions: " + CONTROLS);
    }
    DeploymentRecord record =
        ledger.deployment(id).orElseThrow(() -> ApiException.notFound("no deployment " + id));
    String reason = body == null ? null : body.reason();
    Boolean full = body == null ? null : body.full();
    if (reason != null && reason.length() > MAX_REASON) {
      throw ApiException.invalid("reason", "must be at most " + MAX_REASON + " characters");
    }
    Map<String, Object> audit = new LinkedHashMap<>();
    audit.put("reason", reason);
    if (full != null) {
      audit.put("full", full);
    }
    if (record.state() == DeploymentState.PENDING && record.releaseId() != null) {
      audit.put("outcome", "rejected: waits for release " + record.releaseId());
      ledger.audit(actor, "deployment." + action, id, audit);
      throw ApiException.conflict(
          "rejected",
          action
              + ": deployment "
              + id
              + " is a stage of release "
              + record.releaseId()
              + " and has not started; steer the release: POST /api/v1/releases/"
              + record.releaseId()
              + "/{promote|abort}",
          Map.of("release", "/api/v1/releases/" + record.releaseId()));
    }
    if (action.equals(DeploymentWorkflow.RETRY)) {
      refuseStaleRetry(record, actor, audit);
    }
    String finished = DeploymentWorkflow.rejectionOnceFinished(action, record.state());
    if (finished != null) {
      audit.put("outcome", "rejected: already " + record.state());
      ledger.audit(actor, "deployment." + action, id, audit);
      throw ApiException.conflict("rejected", finished, Map.of());
    }
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    // The control's id is its Temporal update id: a client told "pending" asks for its outcome.
    String controlId = "ctl-" + UUID.randomUUID().toString().substring(0, 12);
    audit.put("controlId", controlId);
    UpdateOptions<ControlResponse> options =
        UpdateOptions.newBuilder(ControlResponse.class)
            .setUpdateName(action)
            .setUpdateId(controlId)
            .setWaitForStage(WorkflowUpdateStage.COMPLETED)
            .build();
    CompletableFuture<ControlResponse> update =
        CompletableFuture.supplyAsync(
            () -> stub.startUpdate(options, new ControlRequest(actor, reason, full)).getResult(),
            controls);
    try {
      ControlResponse response = update.get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      audit.put("outcome", "accepted");
      ledger.audit(actor, "deployment." + action, id, audit);
      return ControlView.accepted(id, action, controlId, response);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String message;
      if (cause instanceof WorkflowUpdateException rejected) {
        message = rejectionMessage(rejected);
      } else if (cause instanceof WorkflowNotFoundException) {
        message =
            action.equals(DeploymentWorkflow.RETRY)
                ? "retry: the deployment's retry window has passed; start a new deployment"
                : action + ": deployment is no longer running";
      } else {
        audit.put("outcome", "unknown: Temporal did not answer: " + cause.getMessage());
        ledger.audit(actor, "deployment." + action, id, audit);
        throw ApiException.unavailable(action + ": Temporal did not answer: " + cause.getMessage());
      }
      audit.put("outcome", "rejected: " + message);
      ledger.audit(actor, "deployment." + action, id, audit);
      throw ApiException.conflict("rejected", message, Map.of());
    } catch (TimeoutException e) {
      // Temporal holds the update for the next worker, which judges it then: "did not happen"
      // (503) would be untrue, so the answer is 202 with the control's id to ask about it.
      audit.put(
          "outcome", "pending: no worker answered within " + CONTROL_TIMEOUT.toSeconds() + "s");
      ledger.audit(actor, "deployment." + action, id, audit);
      return ControlView.pending(
          id,
          action,
          controlId,
          action
              + ": no worker has taken it within "
              + CONTROL_TIMEOUT.toSeconds()
              + " s (is a worker running?); Temporal holds it and the next worker accepts or"
              + " refuses it. GET /api/v1/deployments/"
              + id
              + "/controls/"
              + controlId
              + " tells which.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      audit.put("outcome", "unknown: interrupted while waiting for the answer");
      ledger.audit(actor, "deployment." + action, id, audit);
      throw ApiException.unavailable(action + ": interrupted");
    }
  }

  private static String rejectionMessage(WorkflowUpdateException rejected) {
    Throwable cause = rejected.getCause();
    while (cause != null) {
      if (cause instanceof ApplicationFailure app) {
        return app.getOriginalMessage();
      }
      cause = cause.getCause();
    }
    return rejected.getMessage();
  }

  private static ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "sluice-control");
      thread.setDaemon(true);
      return thread;
    };
  }

  public void close() {
    controls.shutdownNow();
  }
}
