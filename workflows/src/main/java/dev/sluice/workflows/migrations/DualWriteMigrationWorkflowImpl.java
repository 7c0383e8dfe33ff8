package dev.sluice.workflows.migrations;

import dev.sluice.model.DualWriteMigration;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.DualWriteActivities;
import dev.sluice.workflows.activities.DualWriteActivities.Counters;
import dev.sluice.workflows.activities.FlagActivities;
import dev.sluice.workflows.activities.FlagActivities.RolloutCall;
import dev.sluice.workflows.common.DeploymentSteps;
import dev.sluice.workflows.common.EventLines;
import dev.sluice.workflows.common.Steering;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/** See {@link DualWriteMigrationWorkflow}. Continues as new before its history grows long. */
public class DualWriteMigrationWorkflowImpl implements DualWriteMigrationWorkflow {

  static final int MAX_HISTORY = 5_000;

  private final FlagActivities flags =
      Workflow.newActivityStub(
          FlagActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(1))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setMaximumInterval(Duration.ofMinutes(1))
                      .setMaximumAttempts(20)
                      .setDoNotRetry(FailureTypes.CONFIGURATION_ERROR, FailureTypes.FLAG_NOT_FOUND)
                      .build())
              .build());

  private final DualWriteActivities metrics =
      Workflow.newActivityStub(
          DualWriteActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(5).build())
              .build());

  private State state = State.RUNNING;
  private String phase = "old-only";
  private long compared;
  private long mismatches;
  private String reason;
  private final EventLines events = new EventLines();
  private final Steering steering = new Steering();
  private boolean promoted;

  @Override
  public Status run(DualWriteMigration m) {
    try {
      return phases(m);
    } catch (CanceledFailure cancelled) {
      if (!phase.equals("new-only")) {
        Workflow.newDetachedCancellationScope(() -> back(m, "cancelled from Temporal")).run();
      }
      throw cancelled;
    }
  }

  private Status phases(DualWriteMigration m) {
    List<String> phases = DualWriteMigration.PHASES;
    if (m.startPhase() > 0) {
      phase = phases.get(m.startPhase() - 1);
    }
    for (int i = Math.max(0, m.startPhase() - 1); i < phases.size(); i++) {
      String next = phases.get(i);
      if (!next.equals(phase)) {
        try {
          flags.setVariant(
              new RolloutCall(m.flagKey(), next, 100, true, actor(m), "phase " + next));
        } catch (ActivityFailure e) {
          reason = "could not move the flag to " + next + ": " + DeploymentSteps.reason(e);
          event(reason);
          return phase.equals("old-only") ? end(State.FAILED) : back(m, reason);
        }
        phase = next;
        promoted = false;
        event("phase " + next);
      }
      if (next.equals("new-only")) {
        return end(State.COMPLETED);
      }
      // Watch until a window is clean and promote has been sent; mismatches pause.
      while (true) {
        if (Workflow.getInfo().getHistoryLength() > MAX_HISTORY) {
          Workflow.continueAsNew(m.from(i + 1));
        }
        if (steering.aborted()) {
          return back(m, "aborted: " + steering.abortReason());
        }
        Counters before = metrics.counters(m.name(), m.metricsUrls());
        Workflow.await(m.window(), steering::aborted);
        if (steering.aborted()) {
          return back(m, "aborted: " + steering.abortReason());
        }
        Counters after = metrics.counters(m.name(), m.metricsUrls());
        compared = Math.max(0, after.compared() - before.compared());
        mismatches = Math.max(0, after.mismatches() - before.mismatches());
        boolean comparing = next.equals("shadow-read") || next.equals("read-new");
        if (comparing && mismatches > m.maxMismatchRate() * compared) {
          steering.pause();
          reason = mismatches + " of " + compared + " compared reads differed in " + m.window();
          event("paused: " + reason);
          steering.awaitResumedOrAborted();
          continue;
        }
        if (comparing && compared == 0) {
          event("no reads compared in " + m.window() + ": watching another window");
          continue;
        }
        if (promoted) {
          event(next + " clean" + (comparing ? " (" + compared + " reads compared)" : ""));
          break;
        }
      }
    }
    return end(State.COMPLETED);
  }

  /** Back to old-only: the old store has every write in every phase before new-only. */
  private Status back(DualWriteMigration m, String why) {
    reason = why;
    event(why);
    try {
      flags.setVariant(new RolloutCall(m.flagKey(), "old-only", 100, true, actor(m), why));
      phase = "old-only";
      event("back to old-only");
      return end(State.ROLLED_BACK);
    } catch (ActivityFailure e) {
      reason = why + "; moving the flag back failed too: " + DeploymentSteps.reason(e);
      event(reason);
      return end(State.FAILED);
    }
  }

  private Status end(State outcome) {
    state = outcome;
    steering.resume();
    return status();
  }

  @Override
  public Status status() {
    State shown = steering.paused() && state == State.RUNNING ? State.PAUSED : state;
    return new Status(shown.name(), phase, compared, mismatches, reason, events.all());
  }

  @Override
  public void promote(String why) {
    promoted = true;
    event(Steering.saying("promote", why));
  }

  @Override
  public void resume(String why) {
    if (steering.resume()) {
      event(Steering.saying("resumed", why));
    }
  }

  @Override
  public void abort(String why) {
    if (phase.equals("new-only")) {
      event("abort refused: new-only has begun, the old store no longer has every write");
      return;
    }
    steering.abort(why);
  }

  private static String actor(DualWriteMigration m) {
    return "dual-write:" + m.name() + " (" + m.requestedBy() + ")";
  }

  private void event(String what) {
    events.add(what);
  }
}
