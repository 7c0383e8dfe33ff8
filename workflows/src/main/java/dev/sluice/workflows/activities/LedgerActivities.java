package dev.sluice.workflows.activities;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.TargetStatus;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Writes a deployment's progress to the ledger, so status and version history outlive Temporal's
 * retention and can be read without Temporal.
 */
@ActivityInterface(namePrefix = "Ledger")
public interface LedgerActivities {

  /**
   * Records the deployment's current state, its targets and new events. Idempotent: events are
   * keyed by their sequence number, so a retried call adds nothing twice. When {@code state} is
   * final, also records the outcome in the service's version history and frees the service for its
   * next deployment.
   */
  void record(LedgerEntry entry);

  /**
   * Reopens a finished deployment for a retry: takes its service's lock again and marks it running;
   * its outcome in the version history is dropped until the retry ends. Idempotent for the same
   * deployment.
   *
   * @return {@code null} when reopened, else the id of the deployment holding the service
   */
  String reopen(ReopenCall call);

  /**
   * Records a deployment a workflow starts itself (a release's rollback) as PENDING and takes its
   * service's lock, as the API does for the deployments it starts — unless the service no longer
   * runs {@code previousVersion} (someone deployed it since: going back would undo theirs) or
   * another deployment holds it. Idempotent: a deployment already recorded is left as it is.
   *
   * @return {@code null} when recorded (now or before), else why not, for a person
   */
  String begin(BeginCall call);

  /**
   * Closes a PENDING deployment whose workflow will never start (its release ended first) and frees
   * its service. Does nothing to a deployment that has started or ended.
   */
  void abandon(AbandonCall call);

  /** A deployment to record, what the service ran before it, and the release it belongs to. */
  record BeginCall(DeploymentRequest request, String previousVersion, String releaseId) {}

  /** Which deployment to close, and why. */
  record AbandonCall(String deploymentId, String reason) {}

  /** Who retries which deployment. */
  record ReopenCall(String deploymentId, String service, String actor) {}

  /**
   * A deployment's progress since the last record.
   *
   * @param previousVersion what the fleet ran before, once the workflow has asked; else null
   * @param targets the targets that changed since the last record (all of them in the first and the
   *     final one); the ledger merges them by id into what it holds
   * @param events events not yet recorded (a retry may resend some; they are skipped)
   * @param currentVersion the version the service runs after a final state; {@code null} otherwise
   */
  record LedgerEntry(
      String deploymentId,
      String service,
      String version,
      String previousVersion,
      DeploymentState state,
      Phase phase,
      int batch,
      int batches,
      String reason,
      List<TargetStatus> targets,
      List<DeploymentEvent> events,
      String currentVersion) {}
}
