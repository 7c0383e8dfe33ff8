package dev.sluice.workflows.flags;

import dev.sluice.model.AnalysisConfig;
import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.FlagRollout;
import dev.sluice.model.FlagRollout.Stage;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.AnalysisActivities;
import dev.sluice.workflows.activities.AnalysisActivities.MonitorCall;
import dev.sluice.workflows.activities.AnalysisActivities.WatchCall;
import dev.sluice.workflows.activities.FlagActivities;
import dev.sluice.workflows.activities.FlagActivities.RolloutCall;
import dev.sluice.workflows.common.DeploymentSteps;
import dev.sluice.workflows.common.EventLines;
import dev.sluice.workflows.common.Steering;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A gradual flag rollout, durably: each stage sets the variant's share of the flag's split (a new
 * flag version, authored by the rollout), then bakes; with a gate, the service's metrics are
 * checked against their ceilings during the bake and a breach takes the flag back at once. Timers
 * and activity results live in the workflow's history, so a multi-day plan carries on whichever
 * worker is alive.
 */
public class FlagRolloutWorkflowImpl implements FlagRolloutWorkflow {

  private final FlagActivities flags =
      Workflow.newActivityStub(
          FlagActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(1))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setInitialInterval(Duration.ofSeconds(1))
                      .setMaximumInterval(Duration.ofMinutes(1))
                      .setMaximumAttempts(20)
                      .setDoNotRetry(FailureTypes.CONFIGURATION_ERROR, FailureTypes.FLAG_NOT_FOUND)
                      .build())
              .build());

  private State state = State.RUNNING;
  private int stage;
  private int stages;
  private int percent;
  private String reason;
  private final EventLines events = new EventLines();
  private final Steering steering = new Steering();
  private boolean promoteRequested;
  private boolean baking;
  private boolean applied;

  @Override
  public Status run(FlagRollout rollout) {
    stages = rollout.stages().size();
    event("rollout of " + rollout.flagKey() + " variant " + rollout.variant() + " started");
    try {
      return stages(rollout);
    } catch (CanceledFailure cancelled) {
      // Cancelled from the Temporal UI: take the flag back, then end as cancelled.
      Workflow.newDetachedCancellationScope(
              () -> takeBack(rollout, State.CANCELED, "cancelled from Temporal"))
          .run();
      throw cancelled;
    }
  }

  private Status stages(FlagRollout rollout) {
    for (int i = 0; i < stages; i++) {
      steering.awaitResumedOrAborted();
      if (steering.aborted()) {
        return takeBack(rollout, State.ABORTED, "aborted: " + steering.abortReason());
      }
      Stage next = rollout.stages().get(i);
      stage = i + 1;
      try {
        flags.setRollout(
            new RolloutCall(
                rollout.flagKey(),
                rollout.variant(),
                next.percent(),
                // Only the first stage switches the flag on; later a disabled flag means someone
                // pulled the kill switch, and the rollout must not undo it.
                stage == 1,
                actor(rollout),
                "stage " + stage + "/" + stages));
      } catch (ActivityFailure e) {
        if (FailureTypes.FLAG_DISABLED.equals(type(e))) {
          state = State.ABORTED;
          reason = "the flag was disabled during the rollout; left disabled";
          event(reason);
          return status();
        }
        return takeBack(
            rollout,
            State.FAILED,
            "could not set stage " + stage + ": " + DeploymentSteps.reason(e));
      }
      applied = true;
      percent = next.percent();
      event("stage " + stage + "/" + stages + ": " + percent + "% on " + rollout.variant());
      Gated gate = bake(rollout, next);
      if (steering.aborted()) {
        return takeBack(rollout, State.ABORTED, "aborted: " + steering.abortReason());
      }
      if (gate.result() != null && gate.result().verdict() == Verdict.FAIL) {
        return takeBack(
            rollout,
            State.ROLLED_BACK,
            "gate failed at " + percent + "%: " + gate.result().reason());
      }
      if (gate.undecided() != null && i < stages - 1) {
        // Never move on unchecked: a person looks, then resumes (or aborts).
        steering.pause();
        event("paused for a person: " + gate.undecided());
      }
    }
    state = State.SUCCEEDED;
    event("rollout complete at " + percent + "%");
    return status();
  }

  /**
   * How a bake ended: the gate's verdict, or why the gate could not decide (it failed, or it was
   * inconclusive) — both null without a gate or when a control ended the bake.
   */
  private record Gated(AnalysisResult result, String undecided) {}

  /**
   * Waits out the stage's bake (a promote or an abort ends it early); with a gate, watches the
   * metrics meanwhile.
   */
  private Gated bake(FlagRollout rollout, Stage next) {
    if (next.bake() == null || next.bake().isZero() || next.bake().isNegative()) {
      return new Gated(null, null);
    }
    List<Promise<AnalysisResult>> watching = new ArrayList<>();
    CancellationScope scope =
        Workflow.newCancellationScope(
            () -> {
              if (rollout.gate() != null && rollout.gate().compareCohorts()) {
                watching.add(Async.function(gate(next.bake())::watch, watchCall(rollout, next)));
              } else if (rollout.gate() != null) {
                watching.add(
                    Async.function(gate(next.bake())::monitor, monitorCall(rollout, next)));
              }
            });
    scope.run();
    Promise<Void> timer = Workflow.newTimer(next.bake());
    // A promote counts only for the bake it was sent during.
    promoteRequested = false;
    baking = true;
    Workflow.await(
        () ->
            steering.aborted()
                || promoteRequested
                || timer.isCompleted()
                || (!watching.isEmpty() && failedEarly(watching.get(0))));
    boolean promoted = promoteRequested;
    promoteRequested = false;
    if (promoted) {
      event("stage " + stage + " promoted: bake ended early");
    }
    if (watching.isEmpty()) {
      baking = false;
      return new Gated(null, null);
    }
    Promise<AnalysisResult> verdict = watching.get(0);
    if (!verdict.isCompleted() && !promoted && !steering.aborted()) {
      // The bake is over: the gate's window was as long, let it report (an abort still wins).
      Workflow.await(() -> verdict.isCompleted() || steering.aborted() || promoteRequested);
      promoted = promoteRequested;
      promoteRequested = false;
    }
    baking = false;
    if (!verdict.isCompleted()) {
      scope.cancel();
      return new Gated(null, null);
    }
    try {
      AnalysisResult result = verdict.get();
      event("gate at " + percent + "%: " + result.verdict() + ", " + result.reason());
      if (result.verdict() == Verdict.INCONCLUSIVE) {
        return new Gated(null, "the gate could not judge " + percent + "%: " + result.reason());
      }
      return new Gated(result, null);
    } catch (ActivityFailure e) {
      event("gate at " + percent + "% could not run: " + DeploymentSteps.reason(e));
      return new Gated(
          null, "the gate could not run at " + percent + "%: " + DeploymentSteps.reason(e));
    }
  }

  private static boolean failedEarly(Promise<AnalysisResult> verdict) {
    if (!verdict.isCompleted() || verdict.getFailure() != null) {
      return false;
    }
    return verdict.get().verdict() == Verdict.FAIL;
  }

  private MonitorCall monitorCall(FlagRollout rollout, Stage next) {
    FlagRollout.Gate gate = rollout.gate();
    AutoRollbackSpec ceilings =
        (gate.ceilings() == null ? AutoRollbackSpec.DEFAULT : gate.ceilings())
            .orElse(AutoRollbackSpec.DEFAULT);
    Duration interval =
        ceilings.interval().compareTo(next.bake()) > 0 ? next.bake() : ceilings.interval();
    return new MonitorCall(
        gate.router(),
        gate.targets(),
        gate.service(),
        rollout.flagKey() + "=" + rollout.variant() + "@" + next.percent(),
        gate.analysis() == null ? AnalysisConfig.DEFAULT : gate.analysis(),
        new AutoRollbackSpec(next.bake(), interval, ceilings.thresholds(), ceilings.minRequests()));
  }

  /** The cohorts judged like a canary and its baseline, over the bake. */
  private WatchCall watchCall(FlagRollout rollout, Stage next) {
    FlagRollout.Gate gate = rollout.gate();
    AutoRollbackSpec ceilings =
        (gate.ceilings() == null ? AutoRollbackSpec.DEFAULT : gate.ceilings())
            .orElse(AutoRollbackSpec.DEFAULT);
    Duration interval =
        ceilings.interval().compareTo(next.bake()) > 0 ? next.bake() : ceilings.interval();
    return new WatchCall(
        gate.router(),
        gate.targets(),
        gate.targets(),
        new AnalysisSpec(next.bake(), interval, null, null, null, null, null, null),
        gate.service(),
        rollout.variant(),
        "not-" + rollout.variant(),
        gate.analysis() == null ? AnalysisConfig.DEFAULT : gate.analysis());
  }

  private static AnalysisActivities gate(Duration bake) {
    return Workflow.newActivityStub(
        AnalysisActivities.class,
        ActivityOptions.newBuilder()
            .setSummary("flag gate for " + bake)
            .setStartToCloseTimeout(bake.plusMinutes(5))
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setMaximumAttempts(10)
                    .setDoNotRetry(FailureTypes.CONFIGURATION_ERROR)
                    .build())
            .build());
  }

  /** Back to 0% (or the kill switch); the rollout ends {@code outcome}. */
  private Status takeBack(FlagRollout rollout, State outcome, String why) {
    reason = why;
    event(why);
    if (!applied) {
      // No stage was applied: the flag is as the rollout found it.
      state = outcome;
      return status();
    }
    try {
      if (rollout.killOnFailure()) {
        flags.disable(
            new RolloutCall(rollout.flagKey(), rollout.variant(), 0, false, actor(rollout), why));
        event("flag disabled: everyone gets the code default");
      } else {
        flags.setRollout(
            new RolloutCall(rollout.flagKey(), rollout.variant(), 0, false, actor(rollout), why));
        event("back to 0% on " + rollout.variant());
      }
      percent = 0;
      state = outcome;
    } catch (ActivityFailure e) {
      if (FailureTypes.FLAG_DISABLED.equals(type(e))) {
        // Someone pulled the kill switch meanwhile: nobody gets the variant already.
        state = outcome;
        event("the flag is disabled: left disabled");
        return status();
      }
      state = State.FAILED;
      reason = why + "; taking the flag back failed too: " + DeploymentSteps.reason(e);
      event(reason);
    }
    return status();
  }

  private static String type(Throwable failure) {
    for (Throwable c = failure; c != null; c = c.getCause()) {
      if (c instanceof ApplicationFailure app) {
        return app.getType();
      }
    }
    return null;
  }

  private static String actor(FlagRollout rollout) {
    return "rollout:" + rollout.rolloutId() + " (" + rollout.requestedBy() + ")";
  }

  private void event(String what) {
    events.add(what);
  }

  @Override
  public Status status() {
    State shown = steering.paused() && state == State.RUNNING ? State.PAUSED : state;
    return new Status(shown.name(), stage, stages, percent, reason, events.all());
  }

  @Override
  public void promote(String why) {
    // Only a bake can be ended early; a promote at any other moment is dropped, not saved up.
    if (baking) {
      promoteRequested = true;
    }
  }

  @Override
  public void pause(String why) {
    if (steering.pause()) {
      event(Steering.saying("paused", why));
    }
  }

  @Override
  public void resume(String why) {
    if (steering.resume()) {
      event(Steering.saying("resumed", why));
    }
  }

  @Override
  public void abort(String why) {
    steering.abort(why);
  }
}
