package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.Phase;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.ControlResponse;
import dev.sluice.workflows.FailureTypes;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one object a strategy's workflow talks to about its deployment's state, and the façade over
 * the parts that keep and show it: the {@link TargetTable}, the {@link EventLog}, where it is
 * ({@link Progress}), the ledger and the Temporal UI ({@link LedgerSync}, {@link UiDetails}), the
 * search attributes ({@link SearchAttributeUpserts}), the controls' rules ({@link ControlRules})
 * and the waits a control may end ({@link Waits}). Each change of state goes through here, so each
 * is recorded the same way.
 *
 * <p>Workflow threads run one at a time, so parallel target steps may share this object.
 */
public final class DeploymentTracker {

  private final DeploymentRequest request;
  private final Progress progress = new Progress();
  private final TargetTable targets;
  private final EventLog events = new EventLog();
  private final LedgerSync ledger;
  private final SearchAttributeUpserts searchAttributes;
  private final ControlRules controls = new ControlRules();
  private final Waits waits = new Waits(controls);

  public DeploymentTracker(DeploymentRequest request) {
    this(request, false);
  }

  /**
   * @param part whether this deployment is a part of its parent's own flow (a {@link
   *     TargetGroupWorkflow}): its events and where it is are shown as the parent's
   */
  public DeploymentTracker(DeploymentRequest request, boolean part) {
    this.request = request;
    this.targets = new TargetTable(request.service().fleet());
    this.ledger = new LedgerSync(request, part);
    this.searchAttributes = new SearchAttributeUpserts(request.searchAttributes());
  }

  public void start() {
    progress.state = DeploymentState.RUNNING;
    events.add(
        "deployment.started",
        null,
        request.strategy()
            + " deployment of "
            + request.service().name()
            + " "
            + request.version()
            + " requested by "
            + request.requestedBy()
            // Text only, from the input: replaying an older history (no note) adds the same event.
            + (request.note() == null ? "" : " (" + request.note() + ")"));
    setPhase(Phase.PREPARING);
  }

  /**
   * Starts a target group: running, at its parent's batch count, its targets as the parent knows
   * them. Records nothing: the parent's ledger row has all of it.
   */
  public void startPart(
      int batch, int batches, List<TargetStatus> known, List<String> deployAttempted) {
    progress.state = DeploymentState.RUNNING;
    progress.phase = Phase.DEPLOYING;
    progress.batch = batch;
    progress.batches = batches;
    targets.know(known, deployAttempted);
  }

  /** A target group's next batch (in its parent's numbering); recorded with its targets' start. */
  public void enterPartBatch(int number) {
    progress.batch = number;
    progress.phase = Phase.DEPLOYING;
    events.add("batch.started", null, "batch " + number + "/" + progress.batches);
  }

  /**
   * Hands the next batches to target groups: the parent shows the first one and the deploying
   * phase; the groups record their own batches' start.
   */
  public void handOver(int batch) {
    progress.batch = batch;
    setPhase(Phase.DEPLOYING);
  }

  /** After target groups ran batches up to {@code batch}: the parent is there now. */
  public void reachedBatch(int batch) {
    progress.batch = batch;
  }

  /**
   * Sets numbers aside for a target group's events, so they are recorded in this deployment's order
   * (and its parent's, when it is a child itself).
   *
   * @return the number the group's events are shifted by
   */
  public int reserveEvents(int count) {
    int base = events.reserve(count);
    return request.parentEventBase() == null ? base : request.parentEventBase() + base;
  }

  /** The ledger row this deployment's progress goes to: its own, or its parent's. */
  public String ledgerRow() {
    return request.parentDeploymentId() != null
        ? request.parentDeploymentId()
        : request.deploymentId();
  }

  /** The statuses of {@code fleet}'s targets, in fleet order. */
  public List<TargetStatus> statuses(List<Target> fleet) {
    return targets.of(fleet);
  }

  /** The targets of {@code fleet} whose deploy has begun. */
  public List<String> deployAttempted(List<Target> fleet) {
    return targets.deployAttempted(fleet);
  }

  /**
   * Takes over what a target group reports: its targets' statuses, and which it began deploying to
   * (restoring those means redeploying).
   */
  public void adoptGroup(List<TargetStatus> reported, List<String> attempted) {
    targets.adopt(reported);
    targets.attempted(attempted);
  }

  /** Moves a target like {@link #target}, recorded with the next record rather than now. */
  public void targetQuietly(Target target, TargetState newState, String version, String detail) {
    targets.move(target, newState, version, detail);
    events.add(
        "target." + newState.name().toLowerCase(Locale.ROOT),
        target.id(),
        target.id()
            + " "
            + newState.name().toLowerCase(Locale.ROOT).replace('_', ' ')
            + (detail == null ? "" : ": " + detail));
  }

  /** Records what changed since the last record. */
  public void flush() {
    record();
  }

  public int batch() {
    return progress.batch;
  }

  public int batches() {
    return progress.batches;
  }

  public void setBatches(int count) {
    progress.batches = count;
  }

  /** Records what each target ran before; the most common version is the service's previous. */
  public void setPreviousVersions(Map<String, String> versions) {
    progress.previousVersion = targets.setPreviousVersions(versions);
    events.add(
        "fleet.described",
        null,
        "fleet runs "
            + (progress.previousVersion == null ? "an unknown version" : progress.previousVersion));
    record();
  }

  /** Overrides the service's previous version (blue-green: what the live pool runs). */
  public void setServicePreviousVersion(String version) {
    progress.previousVersion = version;
  }

  public int attempt() {
    return progress.attempt;
  }

  public String previousVersion(Target target) {
    return targets.previousVersion(target);
  }

  /** Notes that a deploy to the target has begun: from now on restoring it means redeploying. */
  public void deployAttempted(Target target) {
    targets.deployAttempted(target);
  }

  public boolean wasDeployAttempted(Target target) {
    return targets.wasDeployAttempted(target);
  }

  public TargetState targetState(Target target) {
    return targets.state(target);
  }

  /** Targets of {@code fleet}, in fleet order, whose state is {@code wanted}. */
  public List<Target> targetsIn(List<Target> fleet, TargetState wanted) {
    return targets.in(fleet, wanted);
  }

  public void enterBatch(int number) {
    progress.batch = number;
    events.add("batch.started", null, "batch " + number + "/" + progress.batches);
    setPhase(Phase.DEPLOYING);
  }

  /** Counts steps rather than batches (a canary plan), and names the step in events. */
  public void enterStep(int number, String what, Phase stepPhase) {
    progress.unit = "step";
    progress.batch = number;
    events.add("step.started", null, "step " + number + "/" + progress.batches + ": " + what);
    setPhase(stepPhase);
  }

  /** The canary's share of traffic, as just set. */
  public void trafficWeight(int percent) {
    progress.trafficWeight = percent;
  }

  /** A line for the Temporal UI's current details, e.g. the canary's traffic share. */
  public void note(String line) {
    progress.note = line;
  }

  /**
   * Takes over target statuses reported by a child workflow (a canary's stable promotion); a target
   * the child changed counts as deployed, so restoring it means redeploying.
   */
  public void adopt(List<TargetStatus> reported) {
    targets.adopt(reported);
  }

  /** Pauses for a person, saying why (an analysis that keeps lacking data). */
  public void pauseFor(String why) {
    controls.pause();
    events.add("deployment.paused-for-a-person", null, why);
  }

  public void setPhase(Phase newPhase) {
    progress.phase = newPhase;
    searchAttributes.phase(newPhase);
    record();
  }

  /** Moves a target to {@code newState}; a {@code null} version keeps the one it has. */
  public void target(Target target, TargetState newState, String version, String detail) {
    targetQuietly(target, newState, version, detail);
    record();
  }

  /** Marks the target failed with {@code why}; always returns false, for the caller's return. */
  public boolean targetFailed(Target target, String why) {
    target(target, TargetState.FAILED, null, why);
    return false;
  }

  /** Marks a target whose restore failed: an operator must look at it. Returns false. */
  public boolean rollbackFailed(Target target, String why) {
    target(target, TargetState.FAILED, null, "could not be restored, needs an operator: " + why);
    return false;
  }

  /** One sentence naming the failed targets and why, for the deployment's reason. */
  public String failureSummary(List<Target> failed) {
    return targets.failureSummary(failed);
  }

  public void event(String type, Target target, String message) {
    events.add(type, target == null ? null : target.id(), message);
  }

  /** Waits while paused. Returns false when an abort ended the wait (or came before it). */
  public boolean awaitUnpaused(String next) {
    if (controls.pauseRequested() && !controls.abortRequested()) {
      progress.state = DeploymentState.PAUSED;
      events.add("deployment.paused", null, "paused before " + next);
      setPhase(Phase.PAUSED);
      Workflow.await(() -> !controls.pauseRequested() || controls.abortRequested());
      progress.state = DeploymentState.RUNNING;
      if (!controls.abortRequested()) {
        events.add("deployment.resumed", null, "resumed");
      }
    }
    return !controls.abortRequested();
  }

  public boolean pauseRequested() {
    return controls.pauseRequested();
  }

  public boolean abortRequested() {
    return controls.abortRequested();
  }

  public String abortReason() {
    return controls.abortReason();
  }

  /**
   * Ends the deployment: final state, last ledger record, result. Targets that could not be
   * restored turn a rollback or abort into FAILED, with their names in the reason: the fleet is not
   * where the state would otherwise say.
   */
  public DeploymentResult finish(DeploymentState finalState, String why, List<Target> unrestored) {
    if (!unrestored.isEmpty()) {
      StringBuilder names = new StringBuilder();
      for (Target target : unrestored) {
        names.append(names.length() == 0 ? "" : ", ").append(target.id());
      }
      why = "rollback incomplete, " + names + " need an operator" + (why == null ? "" : "; " + why);
      finalState = DeploymentState.FAILED;
    }
    progress.state = finalState;
    progress.reason = why;
    events.add(
        "deployment." + finalState.name().toLowerCase(Locale.ROOT),
        null,
        finalState.name() + (why == null ? "" : ": " + why));
    progress.phase = Phase.COMPLETED;
    searchAttributes.outcome(progress.phase, progress.state);
    targets.allChanged();
    record();
    return new DeploymentResult(
        request.deploymentId(), progress.state, progress.reason, targets.all());
  }

  /**
   * Says which version the service runs when that is not what all targets run: a blue-green
   * deployment's live pool, while the idle pool holds another version.
   */
  public void serving(String version) {
    progress.servingVersion = version;
  }

  private void record() {
    ledger.record(progress, targets, events);
  }

  /** Where the events of this deployment's child (attempt {@link #attempt}) are numbered from. */
  public int childEventBase() {
    return ChildEntry.CHILD_EVENTS * progress.attempt;
  }

  public DeploymentStatus status() {
    return new DeploymentStatus(
        request.deploymentId(),
        request.service().name(),
        request.strategy(),
        request.version(),
        progress.previousVersion,
        progress.state,
        progress.phase,
        progress.batch,
        progress.batches,
        targets.all(),
        events.recent(),
        progress.reason);
  }

  // --- controls -------------------------------------------------------------------------------

  /**
   * Why {@code action} cannot be applied now, in the words the API returns with 409 ("resume:
   * deployment is not paused"), or {@code null} when it can. Validators throw with it; signals that
   * do not apply are ignored.
   */
  public String rejection(String action, ControlRequest control) {
    return controls.rejection(
        action, control, request.parentDeploymentId(), progress.state, progress.phase);
  }

  /** Throws the rejection of {@code action}, if any, as the validator's answer. */
  public void validate(String action, ControlRequest control) {
    String why = rejection(action, control);
    if (why != null) {
      throw reject(why);
    }
  }

  public ControlResponse pause(ControlRequest control) {
    controls.pause();
    events.add("control.pause", null, "pause requested" + by(control));
    return new ControlResponse(progress.state, progress.phase, "pausing at the next step");
  }

  public ControlResponse resume(ControlRequest control) {
    controls.resume();
    events.add("control.resume", null, "resume requested" + by(control));
    return new ControlResponse(progress.state, progress.phase, "resuming");
  }

  public ControlResponse abort(ControlRequest control) {
    String abortReason =
        "aborted"
            + by(control)
            + (control != null && control.reason() != null ? ": " + control.reason() : "");
    controls.abort(abortReason);
    events.add("control.abort", null, abortReason);
    return new ControlResponse(
        progress.state,
        progress.phase,
        "aborting after the targets in flight; what changed will be rolled back");
  }

  /**
   * Ends the current wait (pause, bake, approval gate, pause between batches); with {@code full}
   * every later one too. A promote while paused also resumes.
   */
  public ControlResponse promote(ControlRequest control) {
    boolean full = control != null && control.isFull();
    String waiting = controls.promote(full, progress.phase);
    events.add(
        "control.promote",
        null,
        (full ? "full promote" : "promote")
            + " requested"
            + by(control)
            + (waiting == null ? "" : " during " + waiting));
    return new ControlResponse(
        progress.state,
        progress.phase,
        full
            ? "promoting: skipping every remaining step, pause and analysis"
            : "promoting: " + (waiting == null ? "resuming" : "ending " + waiting));
  }

  /** Marks a retry as being checked (the ledger is asked for the lock); no second one meanwhile. */
  public void retryPending(boolean pending) {
    controls.retryPending(pending);
  }

  /**
   * Closes a control for the rest of the attempt with a reason ("pause: traffic already switched to
   * green"): accepting it would promise something the strategy can no longer do.
   */
  public void close(String action, String why) {
    controls.close(action, why);
  }

  /** Accepts a retry; the workflow starts the next attempt when its wait for one ends. */
  public ControlResponse retry(ControlRequest control) {
    controls.retry();
    events.add("control.retry", null, "retry requested" + by(control));
    return new ControlResponse(progress.state, progress.phase, "starting again from the beginning");
  }

  /** How a {@link #waitFor} ended. */
  public enum Wake {
    TIMER,
    PROMOTED,
    ABORTED
  }

  /**
   * A wait a promote may cut short: the pause between batches, a canary pause or bake, a blue-green
   * approval gate. {@code duration} null waits until promoted (or aborted).
   *
   * @param what what is being waited for, for the timer's summary and the promote's message
   */
  public Wake waitFor(Duration duration, String what) {
    return waitFor(duration, what, () -> false);
  }

  /**
   * Like {@link #waitFor(Duration, String)}, also ending (as {@link Wake#TIMER}) when {@code done}
   * holds, e.g. when an analysis running meanwhile has finished.
   */
  public Wake waitFor(Duration duration, String what, Supplier<Boolean> done) {
    Wake wake =
        waits.waitFor(
            duration,
            what,
            done,
            begun -> {
              progress.waiting = begun;
              record();
            });
    progress.waiting = null; // recorded with the next step
    return wake;
  }

  /** Whether a full promote asked to skip every remaining step. */
  public boolean promotedFully() {
    return controls.promotedFully();
  }

  /**
   * After an attempt that did not succeed, waits up to {@code window} for a retry.
   *
   * @return whether a retry came; the caller then starts the next attempt
   */
  public boolean awaitRetry(Duration window) {
    return waits.awaitRetry(window);
  }

  /** Resets everything an attempt changes, for the next one; events keep their sequence. */
  public void beginRetry() {
    progress.attempt++;
    controls.resetForRetry();
    progress.reason = null;
    progress.batch = 0;
    targets.resetForRetry();
    progress.state = DeploymentState.RUNNING;
    searchAttributes.retried(progress.state);
    events.add(
        "deployment.retried", null, "attempt " + progress.attempt + " starts from the beginning");
    setPhase(Phase.PREPARING);
  }

  private static String by(ControlRequest control) {
    return control == null || control.actor() == null ? "" : " by " + control.actor();
  }

  private static ApplicationFailure reject(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.CONTROL_REJECTED);
  }
}
