package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentResult;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.Phase;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.model.Waiting;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.ControlResponse;
import dev.sluice.workflows.DeploymentWorkflow;
import dev.sluice.workflows.SluiceSearchAttributes;
import dev.sluice.workflows.activities.LedgerActivities;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All mutable state of a running deployment, and every way it is shown: the status query, the
 * ledger (through an activity), the SluicePhase search attribute and the Temporal UI's current
 * details. Also holds the controls' rules (pause, resume, abort), so every strategy validates them
 * alike.
 *
 * <p>Workflow threads run one at a time, so parallel target steps may share this object.
 */
public final class DeploymentTracker {

  /** Events kept for the status query; the ledger keeps all of them. */
  static final int RECENT_EVENTS = 50;

  private final DeploymentRequest request;
  private final LedgerActivities ledger;
  private final Map<String, TargetStatus> targets = new LinkedHashMap<>();
  private final List<DeploymentEvent> recent = new ArrayList<>();
  private final List<DeploymentEvent> unrecorded = new ArrayList<>();
  private final java.util.Set<String> deployAttempted = new java.util.HashSet<>();

  /** Targets changed since the last ledger record: only those travel, so history stays small. */
  private final java.util.Set<String> changed = new java.util.LinkedHashSet<>();

  private DeploymentState state = DeploymentState.PENDING;
  private Phase phase = Phase.PREPARING;
  private int batch;
  private int batches;
  private int eventSeq;
  private String previousVersion;
  private String reason;
  private boolean pauseRequested;
  private boolean abortRequested;
  private boolean promoteRequested;
  private boolean promoteFull;
  private boolean retryRequested;
  private boolean waitingForRetry;
  private boolean retryPending;
  private final Map<String, String> closed = new HashMap<>();
  private int attempt = 1;

  /** What a promote would end now (a pause, a bake, a gate); null when nothing is promotable. */
  private String promotable;

  /** The wait under way, for the ledger and the Temporal UI; null when nothing waits. */
  private Waiting waiting;

  /** A canary's share of traffic as last set, in percent; null for other strategies. */
  private Integer trafficWeight;

  /** What {@link #batch} counts: batches (rolling) or steps (canary). */
  private String unit = "batch";

  private String note;
  private String servingVersion;

  private String abortReason;

  public DeploymentTracker(DeploymentRequest request) {
    this.request = request;
    for (Target target : request.service().fleet()) {
      targets.put(
          target.id(), new TargetStatus(target.id(), null, null, TargetState.PENDING, null));
    }
    this.ledger =
        Workflow.newActivityStub(
            LedgerActivities.class,
            ActivityOptions.newBuilder()
                .setSummary("record progress in the ledger")
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumInterval(Duration.ofSeconds(30))
                        .build())
                .build());
  }

  public void start() {
    state = DeploymentState.RUNNING;
    deploymentEvent(
        "deployment.started",
        null,
        request.strategy()
            + " deployment of "
            + request.service().name()
            + " "
            + request.version()
            + " requested by "
            + request.requestedBy());
    setPhase(Phase.PREPARING);
  }

  public void setBatches(int count) {
    this.batches = count;
  }

  /** Records what each target ran before; the most common version is the service's previous. */
  public void setPreviousVersions(Map<String, String> versions) {
    Map<String, Integer> counts = new HashMap<>();
    for (TargetStatus t : List.copyOf(targets.values())) {
      String v = versions.get(t.id());
      targets.put(t.id(), new TargetStatus(t.id(), v, v, t.state(), t.detail()));
      changed.add(t.id());
      if (v != null) {
        counts.merge(v, 1, Integer::sum);
      }
    }
    previousVersion =
        counts.entrySet().stream()
            .max(
                Comparator.comparingInt(Map.Entry<String, Integer>::getValue)
                    .thenComparing(Map.Entry::getKey))
            .map(Map.Entry::getKey)
            .orElse(null);
    deploymentEvent(
        "fleet.described",
        null,
        "fleet runs " + (previousVersion == null ? "an unknown version" : previousVersion));
    record();
  }

  /** Overrides the service's previous version (blue-green: what the live pool runs). */
  public void setServicePreviousVersion(String version) {
    previousVersion = version;
  }

  public int attempt() {
    return attempt;
  }

  public String previousVersion(Target target) {
    return targets.get(target.id()).previousVersion();
  }

  /** Notes that a deploy to the target has begun: from now on restoring it means redeploying. */
  public void deployAttempted(Target target) {
    deployAttempted.add(target.id());
  }

  public boolean wasDeployAttempted(Target target) {
    return deployAttempted.contains(target.id());
  }

  public TargetState targetState(Target target) {
    return targets.get(target.id()).state();
  }

  /** Targets of {@code fleet}, in fleet order, whose state is {@code wanted}. */
  public List<Target> targetsIn(List<Target> fleet, TargetState wanted) {
    List<Target> found = new ArrayList<>();
    for (Target target : fleet) {
      if (targets.get(target.id()).state() == wanted) {
        found.add(target);
      }
    }
    return found;
  }

  public void enterBatch(int number) {
    batch = number;
    deploymentEvent("batch.started", null, "batch " + number + "/" + batches);
    setPhase(Phase.DEPLOYING);
  }

  /** Counts steps rather than batches (a canary plan), and names the step in events. */
  public void enterStep(int number, String what, Phase stepPhase) {
    unit = "step";
    batch = number;
    deploymentEvent("step.started", null, "step " + number + "/" + batches + ": " + what);
    setPhase(stepPhase);
  }

  /** The canary's share of traffic, as just set. */
  public void trafficWeight(int percent) {
    trafficWeight = percent;
  }

  /** A line for the Temporal UI's current details, e.g. the canary's traffic share. */
  public void note(String line) {
    note = line;
  }

  /**
   * Takes over target statuses reported by a child workflow (a canary's stable promotion); a target
   * the child changed counts as deployed, so restoring it means redeploying.
   */
  public void adopt(List<TargetStatus> reported) {
    for (TargetStatus t : reported) {
      if (targets.containsKey(t.id())) {
        targets.put(t.id(), t);
        changed.add(t.id());
        if (t.version() != null && !t.version().equals(t.previousVersion())) {
          deployAttempted.add(t.id());
        }
      }
    }
  }

  /** Pauses for a person, saying why (an analysis that keeps lacking data). */
  public void pauseFor(String why) {
    pauseRequested = true;
    deploymentEvent("deployment.paused-for-a-person", null, why);
  }

  public void setPhase(Phase newPhase) {
    phase = newPhase;
    if (request.searchAttributes()) {
      Workflow.upsertTypedSearchAttributes(SluiceSearchAttributes.PHASE.valueSet(newPhase.name()));
    }
    record();
  }

  /** Moves a target to {@code newState}; a {@code null} version keeps the one it has. */
  public void target(Target target, TargetState newState, String version, String detail) {
    TargetStatus now = targets.get(target.id());
    TargetStatus next = now.with(newState, version != null ? version : now.version(), detail);
    targets.put(target.id(), next);
    changed.add(target.id());
    deploymentEvent(
        "target." + newState.name().toLowerCase(java.util.Locale.ROOT),
        target.id(),
        target.id()
            + " "
            + newState.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
            + (detail == null ? "" : ": " + detail));
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
    StringBuilder text = new StringBuilder();
    for (Target target : failed) {
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append(target.id()).append(": ").append(targets.get(target.id()).detail());
    }
    return text.toString();
  }

  public void event(String type, Target target, String message) {
    deploymentEvent(type, target == null ? null : target.id(), message);
  }

  private void deploymentEvent(String type, String targetId, String message) {
    DeploymentEvent event =
        new DeploymentEvent(
            ++eventSeq,
            Instant.ofEpochMilli(Workflow.currentTimeMillis()),
            type,
            targetId,
            message);
    recent.add(event);
    if (recent.size() > RECENT_EVENTS) {
      recent.remove(0);
    }
    unrecorded.add(event);
  }

  /** Waits while paused. Returns false when an abort ended the wait (or came before it). */
  public boolean awaitUnpaused(String next) {
    if (pauseRequested && !abortRequested) {
      state = DeploymentState.PAUSED;
      deploymentEvent("deployment.paused", null, "paused before " + next);
      setPhase(Phase.PAUSED);
      Workflow.await(() -> !pauseRequested || abortRequested);
      state = DeploymentState.RUNNING;
      if (!abortRequested) {
        deploymentEvent("deployment.resumed", null, "resumed");
      }
    }
    return !abortRequested;
  }

  public boolean pauseRequested() {
    return pauseRequested;
  }

  public boolean abortRequested() {
    return abortRequested;
  }

  public String abortReason() {
    return abortReason;
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
    state = finalState;
    reason = why;
    deploymentEvent(
        "deployment." + finalState.name().toLowerCase(java.util.Locale.ROOT),
        null,
        finalState.name() + (why == null ? "" : ": " + why));
    phase = Phase.COMPLETED;
    if (request.searchAttributes()) {
      if (showsState()) {
        Workflow.upsertTypedSearchAttributes(
            SluiceSearchAttributes.PHASE.valueSet(phase.name()),
            SluiceSearchAttributes.STATE.valueSet(state.name()));
      } else {
        Workflow.upsertTypedSearchAttributes(SluiceSearchAttributes.PHASE.valueSet(phase.name()));
      }
    }
    changed.addAll(targets.keySet());
    record();
    return new DeploymentResult(
        request.deploymentId(), state, reason, List.copyOf(targets.values()));
  }

  private boolean showsState() {
    return Workflow.getVersion(ChangeIds.SLUICE_STATE, Workflow.DEFAULT_VERSION, 1) == 1;
  }

  /**
   * Says which version the service runs when that is not what all targets run: a blue-green
   * deployment's live pool, while the idle pool holds another version.
   */
  public void serving(String version) {
    servingVersion = version;
  }

  /** The version the whole service runs after a final state, or null when the fleet is mixed. */
  private String currentVersion() {
    if (!state.isFinal()) {
      return null;
    }
    if (servingVersion != null) {
      return servingVersion;
    }
    String common = null;
    for (TargetStatus t : targets.values()) {
      if (t.version() == null || (common != null && !common.equals(t.version()))) {
        return null;
      }
      common = t.version();
    }
    return common;
  }

  /**
   * Sends what changed to the ledger. In a detached scope: a cancellation must not lose events (the
   * write is short and idempotent), and the compensation that follows needs it too.
   */
  private void record() {
    List<DeploymentEvent> events = List.copyOf(unrecorded);
    unrecorded.clear();
    List<TargetStatus> changedTargets = new ArrayList<>();
    for (String id : changed) {
      changedTargets.add(targets.get(id));
    }
    changed.clear();
    Workflow.setCurrentDetails(details());
    LedgerEntry entry =
        new LedgerEntry(
            request.deploymentId(),
            request.service().name(),
            request.version(),
            previousVersion,
            state,
            phase,
            batch,
            batches,
            reason,
            changedTargets,
            events,
            currentVersion(),
            waiting,
            trafficWeight);
    if (request.parentDeploymentId() != null) {
      recordUnderParent(changedTargets, events);
      return;
    }
    Workflow.newDetachedCancellationScope(() -> ledger.record(entry)).run();
  }

  /**
   * A child's progress goes to its parent's ledger row as it happens: its targets, its events
   * (shifted past the parent's numbers, typed {@code promotion.*} so none reads as the parent's own
   * start or end) and whether it is paused. Children of parents started before this was recorded
   * report only through their result.
   */
  private void recordUnderParent(List<TargetStatus> changedTargets, List<DeploymentEvent> events) {
    if (request.parentEventBase() == null) {
      return;
    }
    List<DeploymentEvent> shifted = new ArrayList<>();
    for (DeploymentEvent e : events) {
      shifted.add(
          new DeploymentEvent(
              request.parentEventBase() + e.seq(),
              e.at(),
              "promotion." + e.type(),
              e.target(),
              e.message()));
    }
    ChildEntry entry =
        new ChildEntry(
            request.parentDeploymentId(),
            request.service().name(),
            state == DeploymentState.PAUSED,
            changedTargets,
            shifted);
    Workflow.newDetachedCancellationScope(() -> ledger.recordChild(entry)).run();
  }

  /** Where the events of this deployment's child (attempt {@link #attempt}) are numbered from. */
  public int childEventBase() {
    return ChildEntry.CHILD_EVENTS * attempt;
  }

  /** Markdown for the Temporal UI's "current details". */
  private String details() {
    StringBuilder md = new StringBuilder();
    md.append("**")
        .append(request.strategy())
        .append("** ")
        .append(request.service().name())
        .append(' ')
        .append(previousVersion == null ? "?" : previousVersion)
        .append(" → ")
        .append(request.version())
        .append("\n\n")
        .append(state)
        .append(" · ")
        .append(phase);
    if (batches > 0) {
      md.append(" · ").append(unit).append(' ').append(batch).append('/').append(batches);
    }
    if (note != null) {
      md.append(" · ").append(note);
    }
    if (trafficWeight != null) {
      md.append(" · canary weight ").append(trafficWeight).append('%');
    }
    if (waiting != null) {
      md.append("\n\n**")
          .append(waiting.forPromote() ? "waiting for promote" : "waiting")
          .append("** since ")
          .append(waiting.since())
          .append(": ")
          .append(waiting.what());
      if (waiting.until() != null) {
        md.append(" (until ").append(waiting.until()).append(", or promote)");
      }
    }
    md.append("\n\n| target | version | state |\n|---|---|---|\n");
    for (TargetStatus t : targets.values()) {
      md.append("| ")
          .append(t.id())
          .append(" | ")
          .append(t.version() == null ? "?" : t.version())
          .append(" | ")
          .append(t.state())
          .append(" |\n");
    }
    return md.toString();
  }

  public DeploymentStatus status() {
    return new DeploymentStatus(
        request.deploymentId(),
        request.service().name(),
        request.strategy(),
        request.version(),
        previousVersion,
        state,
        phase,
        batch,
        batches,
        List.copyOf(targets.values()),
        List.copyOf(recent),
        reason);
  }

  // --- controls -------------------------------------------------------------------------------

  /**
   * Why {@code action} cannot be applied now, in the words the API returns with 409 ("resume:
   * deployment is not paused"), or {@code null} when it can. Validators throw with it; signals that
   * do not apply are ignored.
   */
  public String rejection(String action, ControlRequest control) {
    if (action.equals(DeploymentWorkflow.RETRY)) {
      if (retryRequested || retryPending) {
        return "retry: deployment is already being retried";
      }
      if (request.parentDeploymentId() != null) {
        return "retry: retry the parent deployment " + request.parentDeploymentId();
      }
      if (state == DeploymentState.SUCCEEDED) {
        return "retry: deployment succeeded";
      }
      // Accepted from the moment the outcome is final (the ledger shows it), even before the
      // workflow has begun its wait for a retry.
      return state.isFinal() ? null : "retry: deployment is still running";
    }
    if (state.isFinal() || waitingForRetry) {
      return action + ": deployment is already " + state;
    }
    if (closed.containsKey(action)) {
      return action + ": " + closed.get(action);
    }
    if (abortRequested) {
      return action.equals(DeploymentWorkflow.ABORT)
          ? "abort: deployment is already aborting"
          : action + ": deployment is aborting";
    }
    switch (action) {
      case DeploymentWorkflow.PAUSE:
        return pauseRequested ? "pause: deployment is already paused" : null;
      case DeploymentWorkflow.RESUME:
        return pauseRequested ? null : "resume: deployment is not paused";
      case DeploymentWorkflow.PROMOTE:
        if (control != null && control.isFull()) {
          return promoteFull ? "promote: deployment is already being promoted fully" : null;
        }
        // Also accepted as the deployment enters a wait (the phase is shown before the wait
        // begins): the promote then ends that wait as soon as it starts.
        return promotable != null
                || pauseRequested
                || phase == Phase.WAITING
                || phase == Phase.ANALYSING
            ? null
            : "promote: deployment is not paused or waiting";
      default:
        return null; // abort
    }
  }

  /** Throws the rejection of {@code action}, if any, as the validator's answer. */
  public void validate(String action, ControlRequest control) {
    String why = rejection(action, control);
    if (why != null) {
      throw reject(why);
    }
  }

  public ControlResponse pause(ControlRequest control) {
    pauseRequested = true;
    deploymentEvent("control.pause", null, "pause requested" + by(control));
    return new ControlResponse(state, phase, "pausing at the next step");
  }

  public ControlResponse resume(ControlRequest control) {
    pauseRequested = false;
    deploymentEvent("control.resume", null, "resume requested" + by(control));
    return new ControlResponse(state, phase, "resuming");
  }

  public ControlResponse abort(ControlRequest control) {
    abortRequested = true;
    abortReason =
        "aborted"
            + by(control)
            + (control != null && control.reason() != null ? ": " + control.reason() : "");
    deploymentEvent("control.abort", null, abortReason);
    return new ControlResponse(
        state, phase, "aborting after the targets in flight; what changed will be rolled back");
  }

  /**
   * Ends the current wait (pause, bake, approval gate, pause between batches); with {@code full}
   * every later one too. A promote while paused also resumes.
   */
  public ControlResponse promote(ControlRequest control) {
    boolean full = control != null && control.isFull();
    String waiting = promotable;
    if (full) {
      promoteFull = true;
    }
    if (promotable != null || phase == Phase.WAITING || phase == Phase.ANALYSING) {
      promoteRequested = true;
    }
    pauseRequested = false;
    deploymentEvent(
        "control.promote",
        null,
        (full ? "full promote" : "promote")
            + " requested"
            + by(control)
            + (waiting == null ? "" : " during " + waiting));
    return new ControlResponse(
        state,
        phase,
        full
            ? "promoting: skipping every remaining step, pause and analysis"
            : "promoting: " + (waiting == null ? "resuming" : "ending " + waiting));
  }

  /** Marks a retry as being checked (the ledger is asked for the lock); no second one meanwhile. */
  public void retryPending(boolean pending) {
    retryPending = pending;
  }

  /**
   * Closes a control for the rest of the attempt with a reason ("pause: traffic already switched to
   * green"): accepting it would promise something the strategy can no longer do.
   */
  public void close(String action, String why) {
    closed.put(action, why);
  }

  /** Accepts a retry; the workflow starts the next attempt when its wait for one ends. */
  public ControlResponse retry(ControlRequest control) {
    retryRequested = true;
    deploymentEvent("control.retry", null, "retry requested" + by(control));
    return new ControlResponse(state, phase, "starting again from the beginning");
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
  public Wake waitFor(Duration duration, String what, java.util.function.Supplier<Boolean> done) {
    if (abortRequested) {
      return Wake.ABORTED;
    }
    if (promoteFull) {
      return Wake.PROMOTED;
    }
    Promise<Void> timer =
        duration == null
            ? null
            : Workflow.newTimer(duration, TimerOptions.newBuilder().setSummary(what).build());
    promotable = what;
    if (Workflow.getVersion(ChangeIds.RECORD_WAITS, Workflow.DEFAULT_VERSION, 1) == 1) {
      long now = Workflow.currentTimeMillis();
      waiting =
          new Waiting(
              what,
              Instant.ofEpochMilli(now),
              duration == null ? null : Instant.ofEpochMilli(now).plus(duration));
      record();
    }
    Workflow.await(
        () ->
            abortRequested
                || promoteRequested
                || promoteFull
                || done.get()
                || (timer != null && timer.isCompleted()));
    promotable = null;
    waiting = null; // recorded with the next step
    if (abortRequested) {
      return Wake.ABORTED;
    }
    if (promoteRequested || promoteFull) {
      promoteRequested = false;
      return Wake.PROMOTED;
    }
    return Wake.TIMER;
  }

  /** Whether a full promote asked to skip every remaining step. */
  public boolean promotedFully() {
    return promoteFull;
  }

  /**
   * After an attempt that did not succeed, waits up to {@code window} for a retry.
   *
   * @return whether a retry came; the caller then starts the next attempt
   */
  public boolean awaitRetry(Duration window) {
    waitingForRetry = true;
    Promise<Void> timer =
        Workflow.newTimer(window, TimerOptions.newBuilder().setSummary("wait for a retry").build());
    // A retry being checked against the ledger when the window ends still gets its answer.
    Workflow.await(() -> retryRequested || (timer.isCompleted() && !retryPending));
    waitingForRetry = false;
    return retryRequested;
  }

  /** Resets everything an attempt changes, for the next one; events keep their sequence. */
  public void beginRetry() {
    attempt++;
    retryRequested = false;
    pauseRequested = false;
    abortRequested = false;
    abortReason = null;
    promoteRequested = false;
    promoteFull = false;
    closed.clear();
    reason = null;
    batch = 0;
    deployAttempted.clear();
    for (TargetStatus t : List.copyOf(targets.values())) {
      targets.put(
          t.id(),
          new TargetStatus(t.id(), t.previousVersion(), t.version(), TargetState.PENDING, null));
      changed.add(t.id());
    }
    state = DeploymentState.RUNNING;
    if (request.searchAttributes() && showsState()) {
      Workflow.upsertTypedSearchAttributes(SluiceSearchAttributes.STATE.valueSet(state.name()));
    }
    deploymentEvent(
        "deployment.retried", null, "attempt " + attempt + " starts from the beginning");
    setPhase(Phase.PREPARING);
  }

  private static String by(ControlRequest control) {
    return control == null || control.actor() == null ? "" : " by " + control.actor();
  }

  private static ApplicationFailure reject(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, "ControlRejected");
  }
}
