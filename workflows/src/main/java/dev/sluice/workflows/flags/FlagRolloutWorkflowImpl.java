package dev.sluice.workflows.flags;

import dev.sluice.model.AnalysisResult;
import dev.sluice.model.AnalysisSpec;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.FlagRollout;
import dev.sluice.model.FlagRollout.Stage;
import dev.sluice.model.Verdict;
import dev.sluice.workflows.activities.AnalysisActivities;
import dev.sluice.workflows.activities.AnalysisActivities.MonitorCall;
import dev.sluice.workflows.activities.AnalysisActivities.WatchCall;
import dev.sluice.workflows.activities.FlagActivities;
import dev.sluice.workflows.activities.FlagActivities.RolloutCall;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's gradual rollout, durably: each stage sets the variant's share of the flag's split (a
 * new flag version, authored by the rollout), then bakes; with a gate, the service's metrics are
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
                      .setDoNotRetry("ConfigurationError", "FlagNotFound")
                      .build())
              .build());

  private String state = "RUNNING";
  private int stage;
  private int stages;
  private int percent;
  private String reason;
  private final List<String> events = new ArrayList<>();
  private boolean paused;
  private boolean promoteRequested;
  private String abortReason;

  @Override
  public Status run(FlagRollout rollout) {
    stages = rollout.stages().size();
    event("rollout of " + rollout.flagKey() + " variant " + rollout.variant() + " started");
    for (int i = 0; i < stages; i++) {
      Workflow.await(() -> !paused || abortReason != null);
      if (abortReason != null) {
        return takeBack(rollout, "ABORTED", "aborted: " + abortReason);
      }
      Stage next = rollout.stages().get(i);
      stage = i + 1;
      try {
        flags.setRollout(
            new RolloutCall(
                rollout.flagKey(),
                rollout.variant(),
                next.percent(),
                actor(rollout),
                "stage " + stage + "/" + stages));
      } catch (ActivityFailure e) {
        return takeBack(rollout, "FAILED", "could not set stage " + stage + ": " + cause(e));
      }
      percent = next.percent();
      event("stage " + stage + "/" + stages + ": " + percent + "% on " + rollout.variant());
      AnalysisResult gate = bake(rollout, next);
      if (abortReason != null) {
        return takeBack(rollout, "ABORTED", "aborted: " + abortReason);
      }
      if (gate != null && gate.verdict() == Verdict.FAIL) {
        return takeBack(
            rollout, "ROLLED_BACK", "gate failed at " + percent + "%: " + gate.reason());
      }
    }
    state = "SUCCEEDED";
    event("rollout complete at " + percent + "%");
    return status();
  }

  /**
   * Waits out the stage's bake (a promote or an abort ends it early); with a gate, watches the
   * metrics meanwhile and answers their verdict, else null.
   */
  private AnalysisResult bake(FlagRollout rollout, Stage next) {
    if (next.bake() == null || next.bake().isZero() || next.bake().isNegative()) {
      return null;
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
    Workflow.await(
        () ->
            abortReason != null
                || promoteRequested
                || timer.isCompleted()
                || (!watching.isEmpty() && failedEarly(watching.get(0))));
    boolean promoted = promoteRequested;
    promoteRequested = false;
    if (promoted) {
      event("stage " + stage + " promoted: bake ended early");
    }
    if (watching.isEmpty()) {
      return null;
    }
    Promise<AnalysisResult> verdict = watching.get(0);
    if (!verdict.isCompleted()) {
      if (abortReason != null || promoted) {
        scope.cancel();
        return null;
      }
      // The bake is over: the monitoring's window was as long, let it report.
      Workflow.await(verdict::isCompleted);
    }
    try {
      AnalysisResult result = verdict.get();
      event("gate at " + percent + "%: " + result.verdict() + ", " + result.reason());
      return result;
    } catch (ActivityFailure e) {
      // A gate that cannot run is no reason to take a working flag back; say so.
      event("gate at " + percent + "% could not run: " + cause(e));
      return null;
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
        gate.analysis() == null ? dev.sluice.model.AnalysisConfig.DEFAULT : gate.analysis(),
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
        gate.analysis() == null ? dev.sluice.model.AnalysisConfig.DEFAULT : gate.analysis());
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
                    .setDoNotRetry("ConfigurationError")
                    .build())
            .build());
  }

  /** Back to 0% (or the kill switch); the rollout ends {@code outcome}. */
  private Status takeBack(FlagRollout rollout, String outcome, String why) {
    reason = why;
    event(why);
    try {
      if (rollout.killOnFailure()) {
        flags.disable(
            new RolloutCall(rollout.flagKey(), rollout.variant(), 0, actor(rollout), why));
        event("flag disabled: everyone gets the code default");
      } else {
        flags.setRollout(
            new RolloutCall(rollout.flagKey(), rollout.variant(), 0, actor(rollout), why));
        event("back to 0% on " + rollout.variant());
      }
      percent = 0;
      state = outcome;
    } catch (ActivityFailure e) {
      state = "FAILED";
      reason = why + "; taking the flag back failed too: " + cause(e);
      event(reason);
    }
    return status();
  }

  private static String actor(FlagRollout rollout) {
    return "rollout:" + rollout.rolloutId() + " (" + rollout.requestedBy() + ")";
  }

  private static String cause(Throwable failure) {
    Throwable c = failure;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c instanceof ApplicationFailure app ? app.getOriginalMessage() : c.getMessage();
  }

  private void event(String what) {
    events.add(Instant.ofEpochMilli(Workflow.currentTimeMillis()) + " " + what);
  }

  @Override
  public Status status() {
    String shown = paused && "RUNNING".equals(state) ? "PAUSED" : state;
    return new Status(shown, stage, stages, percent, reason, List.copyOf(events));
  }

  @Override
  public void promote(String why) {
    promoteRequested = true;
  }

  @Override
  public void pause(String why) {
    if (!paused) {
      paused = true;
      event("paused" + (why == null ? "" : ": " + why));
    }
  }

  @Override
  public void resume(String why) {
    if (paused) {
      paused = false;
      event("resumed" + (why == null ? "" : ": " + why));
    }
  }

  @Override
  public void abort(String why) {
    if (abortReason == null) {
      abortReason = why == null ? "no reason given" : why;
    }
  }
}
