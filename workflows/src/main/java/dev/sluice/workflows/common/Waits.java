package dev.sluice.workflows.common;

import dev.sluice.model.Waiting;
import dev.sluice.workflows.common.DeploymentTracker.Wake;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The waits a control may end: a promote cuts a pause, bake or gate short, an abort ends any, a
 * retry ends the wait for one. Timers and awaits only; what a wait shows is the tracker's.
 */
final class Waits {

  private final ControlRules controls;

  Waits(ControlRules controls) {
    this.controls = controls;
  }

  /**
   * Waits {@code duration} (null: until promoted or aborted), or until {@code done} holds.
   *
   * @param begun told the wait (what, since, until) as it begins, to show it; only in deployments
   *     started after {@link ChangeIds#RECORD_WAITS}
   */
  Wake waitFor(Duration duration, String what, Supplier<Boolean> done, Consumer<Waiting> begun) {
    if (controls.abortRequested()) {
      return Wake.ABORTED;
    }
    if (controls.promotedFully()) {
      return Wake.PROMOTED;
    }
    Promise<Void> timer =
        duration == null
            ? null
            : Workflow.newTimer(duration, TimerOptions.newBuilder().setSummary(what).build());
    controls.promotable(what);
    if (Workflow.getVersion(ChangeIds.RECORD_WAITS, Workflow.DEFAULT_VERSION, 1) == 1) {
      long now = Workflow.currentTimeMillis();
      begun.accept(
          new Waiting(
              what,
              Instant.ofEpochMilli(now),
              duration == null ? null : Instant.ofEpochMilli(now).plus(duration)));
    }
    Workflow.await(
        () ->
            controls.abortRequested()
                || controls.promoteRequested()
                || controls.promotedFully()
                || done.get()
                || (timer != null && timer.isCompleted()));
    controls.promotable(null);
    if (controls.abortRequested()) {
      return Wake.ABORTED;
    }
    if (controls.promoteRequested() || controls.promotedFully()) {
      controls.promoteHandled();
      return Wake.PROMOTED;
    }
    return Wake.TIMER;
  }

  /**
   * Waits up to {@code window} for a retry.
   *
   * @return whether a retry came
   */
  boolean awaitRetry(Duration window) {
    controls.waitingForRetry(true);
    Promise<Void> timer =
        Workflow.newTimer(window, TimerOptions.newBuilder().setSummary("wait for a retry").build());
    // A retry being checked against the ledger when the window ends still gets its answer.
    Workflow.await(
        () -> controls.retryRequested() || (timer.isCompleted() && !controls.retryPending()));
    controls.waitingForRetry(false);
    return controls.retryRequested();
  }
}
