package dev.sluice.workflows.common;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.CanaryStep;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.Phase;
import dev.sluice.model.Target;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.ControlResponse;
import dev.sluice.workflows.DeploymentWorkflow;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.LedgerActivities;
import dev.sluice.workflows.activities.LedgerActivities.ReopenCall;
import dev.sluice.workflows.common.DeploymentTracker.Wake;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What every strategy's workflow shares: the status query and the controls (Updates with
 * validators, and the Signals of the same meaning), all answered by the {@link DeploymentTracker};
 * and the retry loop. A strategy implements only its flow.
 */
public abstract class ControlledWorkflow implements DeploymentWorkflow {

  /** How long a deployment that did not succeed waits for a retry before its workflow closes. */
  public static final Duration RETRY_WINDOW = Duration.ofHours(1);

  protected final DeploymentRequest request;
  protected final DeploymentTracker tracker;
  protected final DeploymentSteps steps;
  protected final TargetOps ops;

  /** Work on more targets than one run should hold, in child workflows. */
  protected final TargetGroups groups;

  protected ControlledWorkflow(DeploymentRequest request) {
    this(request, false);
  }

  /**
   * @param part whether this is a part of its parent's own flow (a {@link TargetGroupWorkflow}):
   *     shown as the parent, recording each target once it has ended
   */
  ControlledWorkflow(DeploymentRequest request, boolean part) {
    this.request = request;
    this.tracker = new DeploymentTracker(request, part);
    this.steps = new DeploymentSteps(request);
    this.groups = new TargetGroups(request, tracker);
    this.ops = new TargetOps(request, tracker, steps, groups, part);
  }

  /**
   * Runs attempts until one succeeds or no retry arrives within {@link #RETRY_WINDOW} after a
   * failed or aborted one.
   */
  protected final DeploymentResult withRetries(Supplier<DeploymentResult> attempt) {
    while (true) {
      DeploymentResult result = attempt.get();
      // A child (a canary's promotion) reports to its parent, which owns the retry.
      if (result.state() == DeploymentState.SUCCEEDED || request.parentDeploymentId() != null) {
        return result;
      }
      // Deployments started before retries existed ended here; they must replay the same way.
      if (Workflow.getVersion(ChangeIds.WAIT_FOR_RETRY, Workflow.DEFAULT_VERSION, 1)
              == Workflow.DEFAULT_VERSION
          || !tracker.awaitRetry(RETRY_WINDOW)) {
        return result;
      }
      tracker.beginRetry();
    }
  }

  /** Puts back what an attempt changed and ends it with {@code outcome}. */
  @FunctionalInterface
  protected interface Undo {
    DeploymentResult undo(DeploymentState outcome, String reason);
  }

  /**
   * One attempt of {@code flow}. Cancelling from the Temporal UI means abort with rollback; any
   * other failure that gets out of the flow (a step that failed for good outside a target, e.g. the
   * fleet lookup) fails the deployment after {@code undo} has put back what it touched. The
   * workflow's own scope may be cancelled, so the compensation runs in a detached scope or it would
   * be cancelled too; a cancellation is rethrown after it.
   */
  protected final DeploymentResult attempt(Supplier<DeploymentResult> flow, Undo undo) {
    try {
      return flow.get();
    } catch (TemporalFailure e) {
      boolean cancelled = CancellationScope.current().isCancelRequested();
      DeploymentResult[] result = new DeploymentResult[1];
      Workflow.newDetachedCancellationScope(
              () ->
                  result[0] =
                      undo.undo(
                          cancelled ? DeploymentState.ABORTED : DeploymentState.FAILED,
                          cancelled ? "cancelled from Temporal" : DeploymentSteps.reason(e)))
          .run();
      if (cancelled) {
        throw e instanceof CanceledFailure ? e : new CanceledFailure("cancelled from Temporal");
      }
      return result[0];
    }
  }

  /** How a watched analysis ended: cut short by a control, or with its verdict. */
  protected record Watched(Wake wake, AnalysisResult result) {}

  /**
   * Runs an analysis (a canary bake, a warm-up) that a promote or an abort may cut short: the
   * analysis runs in its own cancellation scope, cancelled when a control ends the wait.
   */
  protected final Watched watch(Supplier<Promise<AnalysisResult>> start, String what) {
    List<Promise<AnalysisResult>> started = new ArrayList<>();
    CancellationScope scope = Workflow.newCancellationScope(() -> started.add(start.get()));
    scope.run();
    Promise<AnalysisResult> verdict = started.get(0);
    Wake wake = tracker.waitFor(null, what, verdict::isCompleted);
    if (!verdict.isCompleted()) {
      scope.cancel();
      return new Watched(wake, null);
    }
    return new Watched(Wake.TIMER, verdict.get());
  }

  /**
   * The post-deploy monitoring window, when the deployment asks for one: watches {@code targets}
   * (the new version's) against absolute ceilings. Answers how it ended: a control's wake (result
   * null), or the verdict — FAIL means roll back. Skipped (TIMER, null) when off; a monitoring that
   * could not run at all is an event, not a rollback of a deployment that went well.
   */
  protected final Watched monitorAfterDeploy(List<Target> targets) {
    return monitorAfterDeploy(targets, null);
  }

  /** Whether this deployment has post-deploy monitoring (auto-rollback with a window). */
  protected final boolean monitorsAfterDeploy() {
    return request.autoRollback() != null
        && request.autoRollback().orElse(AutoRollbackSpec.DEFAULT).enabled();
  }

  /**
   * Post-deploy monitoring as {@link #monitorAfterDeploy(List)}, for {@code window} instead of the
   * auto-rollback's own window when not null (a zone's bake).
   */
  protected final Watched monitorAfterDeploy(List<Target> targets, Duration window) {
    if (request.autoRollback() == null) {
      return new Watched(Wake.TIMER, null);
    }
    AutoRollbackSpec spec = request.autoRollback().orElse(AutoRollbackSpec.DEFAULT);
    AutoRollbackSpec auto =
        window == null || !spec.enabled()
            ? spec
            : new AutoRollbackSpec(window, spec.interval(), spec.thresholds(), spec.minRequests());
    if (!auto.enabled()
        || targets.isEmpty()
        || Workflow.getVersion(ChangeIds.AUTO_ROLLBACK, Workflow.DEFAULT_VERSION, 1)
            == Workflow.DEFAULT_VERSION) {
      return new Watched(Wake.TIMER, null);
    }
    tracker.setPhase(Phase.ANALYSING);
    String what =
        "post-deploy monitoring of "
            + targets.stream().map(Target::id).toList()
            + " for "
            + CanaryStep.text(auto.window());
    tracker.event("deployment.monitoring", null, what + ": " + ceilings(auto));
    Watched watched;
    try {
      watched = watch(() -> steps.monitor(targets, auto), what);
    } catch (ActivityFailure e) {
      tracker.event(
          "deployment.monitoring-failed",
          null,
          "post-deploy monitoring could not run, nothing rolled back: "
              + DeploymentSteps.reason(e));
      return new Watched(Wake.TIMER, null);
    }
    if (watched.result() == null) {
      tracker.event(
          "deployment.monitoring-ended",
          null,
          watched.wake() == Wake.PROMOTED
              ? "promoted: monitoring ended early"
              : "monitoring stopped by " + watched.wake().name().toLowerCase(Locale.ROOT));
    } else {
      AnalysisResult r = watched.result();
      tracker.event(
          "deployment.monitored",
          null,
          "post-deploy monitoring "
              + r.verdict()
              + " after "
              + r.checks()
              + " checks: "
              + r.reason());
    }
    return watched;
  }

  private static String ceilings(AutoRollbackSpec auto) {
    return auto.thresholds().stream()
        .map(t -> t.metric() + " ≤ " + t.max() + (t.unit() == null ? "" : " " + t.unit()))
        .collect(Collectors.joining(", "));
  }

  @Override
  public DeploymentStatus status() {
    return tracker.status();
  }

  // Controls reach the target groups at work, if any; their parent keeps deciding.

  @Override
  public ControlResponse pause(ControlRequest control) {
    ControlResponse response = tracker.pause(control);
    groups.forward(g -> g.pauseSignal(control));
    return response;
  }

  @Override
  public void validatePause(ControlRequest control) {
    tracker.validate(PAUSE, control);
  }

  @Override
  public ControlResponse resume(ControlRequest control) {
    ControlResponse response = tracker.resume(control);
    groups.forward(g -> g.resumeSignal(control));
    return response;
  }

  @Override
  public void validateResume(ControlRequest control) {
    tracker.validate(RESUME, control);
  }

  @Override
  public ControlResponse abort(ControlRequest control) {
    ControlResponse response = tracker.abort(control);
    groups.forward(g -> g.abortSignal(control));
    return response;
  }

  @Override
  public void validateAbort(ControlRequest control) {
    tracker.validate(ABORT, control);
  }

  @Override
  public ControlResponse promote(ControlRequest control) {
    ControlResponse response = tracker.promote(control);
    groups.forward(g -> g.promoteSignal(control));
    return response;
  }

  @Override
  public void validatePromote(ControlRequest control) {
    // While a group waits between batches, the wait is its own: the group applies the promote.
    if (!groups.steering()) {
      tracker.validate(PROMOTE, control);
    }
  }

  /**
   * Takes the service's lock again through the ledger before accepting: another deployment may have
   * started since this one ended, and then the retry is refused with its id.
   */
  @Override
  public ControlResponse retry(ControlRequest control) {
    tracker.retryPending(true);
    try {
      return reopenAndRetry(control);
    } finally {
      tracker.retryPending(false);
    }
  }

  private ControlResponse reopenAndRetry(ControlRequest control) {
    String holder =
        Workflow.newActivityStub(
                LedgerActivities.class,
                ActivityOptions.newBuilder()
                    .setSummary("take the service's lock again for a retry")
                    .setStartToCloseTimeout(Duration.ofSeconds(30))
                    .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(5).build())
                    .build())
            .reopen(
                new ReopenCall(
                    request.deploymentId(),
                    request.service().name(),
                    control == null ? null : control.actor()));
    if (holder != null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "retry: deployment "
              + holder
              + " of "
              + request.service().name()
              + " holds the service or began after this one; start a new deployment",
          FailureTypes.CONTROL_REJECTED);
    }
    return tracker.retry(control);
  }

  @Override
  public void validateRetry(ControlRequest control) {
    tracker.validate(RETRY, control);
  }

  // Signals go through the update handlers, so a strategy that overrides one (to pass a control
  // on to a child workflow) gets the signal's too.

  @Override
  public void pauseSignal(ControlRequest control) {
    if (tracker.rejection(PAUSE, control) == null) {
      pause(control);
    }
  }

  @Override
  public void resumeSignal(ControlRequest control) {
    if (tracker.rejection(RESUME, control) == null) {
      resume(control);
    }
  }

  @Override
  public void abortSignal(ControlRequest control) {
    if (tracker.rejection(ABORT, control) == null) {
      abort(control);
    }
  }

  @Override
  public void retrySignal(ControlRequest control) {
    if (tracker.rejection(RETRY, control) == null) {
      try {
        retry(control);
      } catch (TemporalFailure refused) {
        tracker.event("control.retry-refused", null, DeploymentSteps.reason(refused));
      }
    }
  }

  @Override
  public void promoteSignal(ControlRequest control) {
    if (tracker.rejection(PROMOTE, control) == null) {
      promote(control);
    }
  }
}
