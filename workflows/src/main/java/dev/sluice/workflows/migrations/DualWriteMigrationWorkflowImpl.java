package dev.sluice.workflows.migrations;

import dev.sluice.model.DualWriteMigration;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.DualWriteActivities;
import dev.sluice.workflows.activities.DualWriteActivities.Counters;
import dev.sluice.workflows.activities.FlagActivities;
import dev.sluice.workflows.activities.FlagActivities.RolloutCall;
import dev.sluice.workflows.common.DeploymentSteps;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

  private String state = "RUNNING";
  private String phase = "old-only";
  private long compared;
  private long mismatches;
  private String reason;
  private final List<String> events = new ArrayList<>();
  private boolean promoted;
  private boolean paused;
  private String abortReason;

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
          return phase.equals("old-only") ? end("FAILED") : back(m, reason);
        }
        phase = next;
        promoted = false;
        event("phase " + next);
      }
      if (next.equals("new-only")) {
        return end("COMPLETED");
      }
      // Watch until a window is clean and promote has been sent; mismatches pause.
      while (true) {
        if (Workflow.getInfo().getHistoryLength() > MAX_HISTORY) {
          Workflow.continueAsNew(m.from(i + 1));
        }
        if (abortReason != null) {
          return back(m, "aborted: " + abortReason);
        }
        Counters before = metrics.counters(m.name(), m.metricsUrls());
        Workflow.await(m.window(), () -> abortReason != null);
        if (abortReason != null) {
          return back(m, "aborted: " + abortReason);
        }
        Counters after = metrics.counters(m.name(), m.metricsUrls());
        compared = Math.max(0, after.compared() - before.compared());
        mismatches = Math.max(0, after.mismatches() - before.mismatches());
        boolean comparing = next.equals("shadow-read") || next.equals("read-new");
        if (comparing && mismatches > m.maxMismatchRate() * compared) {
          paused = true;
          reason = mismatches + " of " + compared + " compared reads differed in " + m.window();
          event("paused: " + reason);
          Workflow.await(() -> !paused || abortReason != null);
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
    return end("COMPLETED");
  }

  /** Back to old-only: the old store has every write in every phase before new-only. */
  private Status back(DualWriteMigration m, String why) {
    reason = why;
    event(why);
    try {
      flags.setVariant(new RolloutCall(m.flagKey(), "old-only", 100, true, actor(m), why));
      phase = "old-only";
      event("back to old-only");
      return end("ROLLED_BACK");
    } catch (ActivityFailure e) {
      reason = why + "; moving the flag back failed too: " + DeploymentSteps.reason(e);
      event(reason);
      return end("FAILED");
    }
  }

  private Status end(String outcome) {
    state = outcome;
    paused = false;
    return status();
  }

  @Override
  public Status status() {
    String shown = paused && state.equals("RUNNING") ? "PAUSED" : state;
    return new Status(shown, phase, compared, mismatches, reason, List.copyOf(events));
  }

  @Override
  public void promote(String why) {
    promoted = true;
    event("promote" + (why == null ? "" : ": " + why));
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
    if (phase.equals("new-only")) {
      event("abort refused: new-only has begun, the old store no longer has every write");
      return;
    }
    if (abortReason == null) {
      abortReason = why == null ? "no reason given" : why;
    }
  }

  private static String actor(DualWriteMigration m) {
    return "dual-write:" + m.name() + " (" + m.requestedBy() + ")";
  }

  private void event(String what) {
    events.add(Instant.ofEpochMilli(Workflow.currentTimeMillis()) + " " + what);
  }
}
