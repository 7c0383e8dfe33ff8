package dev.sluice.activities.deploy.localprocess;

/**
 * One recorded instance a stop dealt with.
 *
 * @param target the target id
 * @param version the version its state file recorded
 * @param pid the process id its state file recorded
 * @param outcome {@code stopped} (exited after SIGTERM), {@code killed} (SIGKILL after the stop
 *     timeout), {@code survived} (still alive after SIGKILL; its state is kept) or {@code
 *     not-running} (already gone, or its pid now belongs to another process, which is left alone;
 *     its state is forgotten)
 */
public record StoppedInstance(String target, String version, long pid, String outcome) {

  /** The outcome of an instance that no longer ran when the stop came. */
  public static final String NOT_RUNNING = "not-running";

  /** Whether the stop ended a running process. */
  public boolean endedAProcess() {
    return !NOT_RUNNING.equals(outcome) && !"survived".equals(outcome);
  }
}
