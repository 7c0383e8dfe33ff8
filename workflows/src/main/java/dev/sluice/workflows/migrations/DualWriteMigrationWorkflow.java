package dev.sluice.workflows.migrations;

import dev.sluice.model.DualWriteMigration;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Dual writes: dual-write → shadow-read → read-new → new-only, each a value of the migration's
 * phase flag. Every phase is watched window by window; a phase moves on when its last window's
 * mismatch rate is within the limit and a person (or the release) sent {@code promote}; mismatches
 * above it pause the migration until {@code resume}. {@code abort} (or cancelling) before new-only
 * sets the flag back to old-only; after, it is refused: the old store no longer has every write.
 */
@WorkflowInterface
public interface DualWriteMigrationWorkflow {

  static String workflowId(String name) {
    return "dual-write-" + name;
  }

  @WorkflowMethod
  Status run(DualWriteMigration migration);

  @QueryMethod
  Status status();

  @SignalMethod
  void promote(String reason);

  @SignalMethod
  void resume(String reason);

  @SignalMethod
  void abort(String reason);

  /** The states a dual-write's {@link Status#state} names. */
  enum State {
    RUNNING,
    PAUSED,
    COMPLETED,
    ROLLED_BACK,
    FAILED
  }

  /**
   * @param state a {@link State}'s name (a string on the wire: the API reads it)
   * @param phase the flag's phase now
   * @param compared reads compared in the last window
   * @param mismatches of those, differing
   * @param reason why it paused, rolled back or failed
   * @param events what happened, oldest first
   */
  record Status(
      String state,
      String phase,
      long compared,
      long mismatches,
      String reason,
      List<String> events) {}
}
