package dev.sluice.workflows.activities;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.TargetStatus;
import dev.sluice.model.Waiting;
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
   * Records a child's progress (a canary's promotion of its stable servers) under its parent, as it
   * happens: the targets it changed merged into the parent's, its events added to the parent's
   * (their sequence numbers already shifted past the parent's own), and the parent shown paused
   * while the child is. Does nothing once the parent has finished. Idempotent like {@link #record}.
   */
  void recordChild(ChildEntry entry);

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
   * A child's progress since its last record, for its parent's ledger row.
   *
   * @param parentDeploymentId the deployment the child belongs to
   * @param paused whether the child waits for a resume
   * @param targets the targets the child changed since its last record
   * @param events its events, numbered from {@link #CHILD_EVENTS} up (a canary's promotion), or
   *     within a range the parent set aside in its own numbering (a {@code TargetGroup} child)
   * @param phase the parent's phase as the child sees it, with {@code batch} (in the parent's
   *     numbering) and {@code waiting}: a {@code TargetGroup} child runs part of its parent's own
   *     flow; {@code null} for a canary's promotion, whose parent is shown PROMOTING
   * @param batch the batch the child runs, in the parent's numbering; 0 when {@code phase} is null
   * @param waiting what the child waits for (a pause between batches); null when nothing
   */
  record ChildEntry(
      String parentDeploymentId,
      String service,
      boolean paused,
      List<TargetStatus> targets,
      List<DeploymentEvent> events,
      Phase phase,
      int batch,
      Waiting waiting) {

    /** A canary promotion's entry: the parent is shown PROMOTING (or PAUSED). */
    public ChildEntry(
        String parentDeploymentId,
        String service,
        boolean paused,
        List<TargetStatus> targets,
        List<DeploymentEvent> events) {
      this(parentDeploymentId, service, paused, targets, events, null, 0, null);
    }

    /**
     * Where a child's event numbers begin (times the parent's attempt): far above any parent's own,
     * which the ledger alone orders its progress by.
     */
    public static final int CHILD_EVENTS = 1_000_000;
  }

  /**
   * A deployment's progress since the last record.
   *
   * @param previousVersion what the fleet ran before, once the workflow has asked; else null
   * @param targets the targets that changed since the last record (all of them in the first and the
   *     final one); the ledger merges them by id into what it holds
   * @param events events not yet recorded (a retry may resend some; they are skipped)
   * @param currentVersion the version the service runs after a final state; {@code null} otherwise
   * @param waiting what the deployment waits for now; {@code null} when it waits for nothing
   * @param trafficWeight a canary's share of traffic in percent as last set; {@code null} for other
   *     strategies
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
      String currentVersion,
      Waiting waiting,
      Integer trafficWeight) {

    /** An entry without a wait or a traffic weight. */
    public LedgerEntry(
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
        String currentVersion) {
      this(
          deploymentId,
          service,
          version,
          previousVersion,
          state,
          phase,
          batch,
          batches,
          reason,
          targets,
          events,
          currentVersion,
          null,
          null);
    }
  }
}
