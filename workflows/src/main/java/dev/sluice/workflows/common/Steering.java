package dev.sluice.workflows.common;

import io.temporal.workflow.Workflow;

/**
 * Pause and abort as the signal-steered workflows (flag rollout, migrations, release) take them:
 * the first abort's reason wins, and pause and resume say whether they changed anything, so a
 * repeated signal adds no event. Workflow threads run one at a time; signals may set it anywhere.
 */
public final class Steering {

  private boolean paused;
  private String abortReason;

  /** Pauses; false when already paused. */
  public boolean pause() {
    if (paused) {
      return false;
    }
    paused = true;
    return true;
  }

  /** Resumes; false when not paused. */
  public boolean resume() {
    if (!paused) {
      return false;
    }
    paused = false;
    return true;
  }

  public boolean paused() {
    return paused;
  }

  /**
   * Asks to abort, for {@code why} ("no reason given" when null); false when an abort came before,
   * whose reason stays.
   */
  public boolean abort(String why) {
    if (abortReason != null) {
      return false;
    }
    abortReason = why == null ? "no reason given" : why;
    return true;
  }

  public boolean aborted() {
    return abortReason != null;
  }

  /** The first abort's reason; null when none came. */
  public String abortReason() {
    return abortReason;
  }

  /** Blocks while paused; returns at once when not paused, or when an abort comes. */
  public void awaitResumedOrAborted() {
    Workflow.await(() -> !paused || abortReason != null);
  }

  /** "{@code what}: {@code why}", or just {@code what} without a reason: an event's text. */
  public static String saying(String what, String why) {
    return what + (why == null ? "" : ": " + why);
  }
}
