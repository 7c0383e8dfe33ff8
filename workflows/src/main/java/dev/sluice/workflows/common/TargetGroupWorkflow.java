package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.SmokeCheck;
import dev.sluice.model.TargetStatus;
import dev.sluice.workflows.DeploymentWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;

/**
 * Part of a large deployment's work on at most {@link TargetGroups#SIZE} of its targets, as a child
 * workflow, so that no run's history grows with the fleet: upgrading them (a rolling deployment's
 * consecutive batches, with the pauses between them, or a slice of one large batch), smoke-testing
 * them, stopping them or restoring them. The parent decides what happens next; a group only does
 * its part and reports each target's status, to the parent's ledger row as it goes and to the
 * parent in its result. The parent passes its controls on (pause, resume, abort, promote).
 */
@WorkflowInterface
public interface TargetGroupWorkflow extends DeploymentWorkflow {

  String TYPE = "TargetGroup";

  @WorkflowMethod(name = TYPE)
  GroupResult run(GroupWork work);

  /** What a group does to its targets. */
  enum Job {
    /** Drain, deploy, check, enable, batch after batch; stops after a batch with failures. */
    UPGRADE,
    /** Back to each target's previous version, batch after batch, in the order given. */
    RESTORE,
    /** Every smoke check on every target; stops at the first failure. */
    SMOKE,
    /** Stops what runs on each target. */
    STOP
  }

  /**
   * A group's work.
   *
   * @param request the parent's request with the group's targets as the fleet, the parent's ledger
   *     row as {@code parentDeploymentId} and the base of its events' numbers
   * @param batchSize targets per batch (the last may hold fewer)
   * @param firstBatch the number of the group's first batch in the parent's count (from 1); for
   *     other jobs, and a single batch of a strategy without batches, the parent's current one
   * @param batches the parent's count of batches
   * @param pause the pause between two batches (UPGRADE); null for none
   * @param known the targets as the parent knows them: previous versions, states
   * @param deployAttempted the targets a deploy to has begun (restoring them means redeploying)
   * @param smokeChecks the checks to run (SMOKE); empty otherwise
   */
  record GroupWork(
      Job job,
      DeploymentRequest request,
      int batchSize,
      int firstBatch,
      int batches,
      Duration pause,
      List<TargetStatus> known,
      List<String> deployAttempted,
      List<SmokeCheck> smokeChecks) {}

  /**
   * What a group did.
   *
   * @param targets every target of the group as it ended
   * @param deployAttempted the targets a deploy to has begun
   * @param failed UPGRADE: the targets that failed; RESTORE: those that could not be restored
   * @param smokeFailure SMOKE: the first failed check, or null
   * @param cancelled whether the group was cancelled (its parent was) before it ended
   */
  record GroupResult(
      List<TargetStatus> targets,
      List<String> deployAttempted,
      List<String> failed,
      String smokeFailure,
      boolean cancelled) {}
}
