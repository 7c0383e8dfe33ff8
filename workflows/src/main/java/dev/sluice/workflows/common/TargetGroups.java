package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.SmokeCheck;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.DeploymentWorkflow;
import dev.sluice.workflows.common.TargetGroupWorkflow.GroupResult;
import dev.sluice.workflows.common.TargetGroupWorkflow.GroupWork;
import dev.sluice.workflows.common.TargetGroupWorkflow.Job;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs a large deployment's work on its targets in {@link TargetGroupWorkflow} children of at most
 * {@link #SIZE} targets, so that every run's history stays bounded whatever the fleet: a target's
 * steps cost some 30 history events, a child in its parent about 10. Consecutive batches that
 * together hold at most {@link #SIZE} targets share one child (which also waits the pauses between
 * them); a larger batch is cut into children that run in parallel. Fleets of at most {@link #SIZE}
 * targets, and deployments started before {@link ChangeIds#TARGET_GROUPS}, keep their steps in
 * their own history.
 *
 * <p>While groups run, the controls the workflow accepts are passed on to them ({@link #forward}).
 */
public final class TargetGroups {

  /** The most targets one run works on itself. */
  public static final int SIZE = 50;

  /**
   * Event numbers set aside for each group (its targets' steps take about 8 each, its batches a few
   * more): its events are recorded between the parent's, in the order they happen.
   */
  static final int EVENTS = 2_500;

  private final DeploymentRequest request;
  private final DeploymentTracker tracker;
  private final List<Running> running = new ArrayList<>();
  private Boolean enabled;

  /**
   * A group that is running, and whether it waits between batches (a promote may end that). A
   * class, not a record: equal by identity, as a child stub answers no {@code equals}.
   */
  private static final class Running {
    private final TargetGroupWorkflow stub;
    private final boolean steerable;

    Running(TargetGroupWorkflow stub, boolean steerable) {
      this.stub = stub;
      this.steerable = steerable;
    }

    TargetGroupWorkflow stub() {
      return stub;
    }

    boolean steerable() {
      return steerable;
    }
  }

  /** A group's share of a stage: its targets, cut into batches of {@code batchSize}. */
  public record Slice(List<Target> targets, int batchSize, int firstBatch, int batchCount) {}

  TargetGroups(DeploymentRequest request, DeploymentTracker tracker) {
    this.request = request;
    this.tracker = tracker;
  }

  /**
   * Whether {@code count} targets are worked on in groups: more than {@link #SIZE}, in a deployment
   * started since groups exist. Asks Temporal once, the first time a count is that large, so
   * histories of smaller fleets carry no marker.
   */
  public boolean use(int count) {
    if (count <= SIZE) {
      return false;
    }
    if (enabled == null) {
      enabled =
          Workflow.getVersion(ChangeIds.TARGET_GROUPS, Workflow.DEFAULT_VERSION, 1)
              != Workflow.DEFAULT_VERSION;
    }
    return enabled;
  }

  /**
   * The stages {@code targets} (in order, cut into batches of {@code batchSize}) are worked on in,
   * one after another: consecutive batches that hold at most {@link #SIZE} targets together share
   * one group; a larger batch is one stage of parallel groups of at most {@link #SIZE}. Pure.
   */
  public static List<List<Slice>> stages(List<Target> targets, int batchSize) {
    List<List<Slice>> stages = new ArrayList<>();
    int batch = 0;
    int i = 0;
    while (i < targets.size()) {
      if (batchSize > SIZE) {
        List<Target> whole = targets.subList(i, Math.min(targets.size(), i + batchSize));
        List<Slice> parallel = new ArrayList<>();
        for (int j = 0; j < whole.size(); j += SIZE) {
          List<Target> part = List.copyOf(whole.subList(j, Math.min(whole.size(), j + SIZE)));
          parallel.add(new Slice(part, part.size(), batch + 1, 1));
        }
        stages.add(parallel);
        i += whole.size();
        batch++;
      } else {
        int perGroup = SIZE / batchSize;
        int end = Math.min(targets.size(), i + perGroup * batchSize);
        List<Target> part = List.copyOf(targets.subList(i, end));
        int count = (part.size() + batchSize - 1) / batchSize;
        stages.add(List.of(new Slice(part, batchSize, batch + 1, count)));
        i = end;
        batch += count;
      }
    }
    return stages;
  }

  /**
   * Upgrades one stage of a rolling deployment: its groups in parallel, each its batches one after
   * another with {@code pause} between them.
   *
   * @return the targets that failed
   */
  public List<Target> upgrade(List<Slice> stage, int batches, Duration pause) {
    return failed(stage, run(Job.UPGRADE, stage, batches, pause, List.of()));
  }

  /**
   * Upgrades one large batch (a canary's canaries, a blue-green idle pool): groups in parallel.
   *
   * @return the targets that failed
   */
  public List<Target> upgradeBatch(List<Target> batch) {
    List<Slice> stage = new ArrayList<>();
    for (Slice slice : stages(batch, batch.size()).get(0)) {
      // The deployment's own batch (a blue-green pool's 1/1) or step, whichever it shows.
      stage.add(new Slice(slice.targets(), slice.batchSize(), tracker.batch(), 1));
    }
    return upgrade(stage, tracker.batches(), null);
  }

  /**
   * Restores {@code order} (already in the order to restore) in batches of {@code batchSize}.
   *
   * @return the targets that could not be restored
   */
  public List<Target> restore(List<Target> order, int batchSize) {
    List<Target> unrestored = new ArrayList<>();
    for (List<Slice> stage : stages(order, batchSize)) {
      unrestored.addAll(failed(stage, run(Job.RESTORE, stage, 0, null, List.of())));
    }
    return unrestored;
  }

  /** Runs every check on every target, group after group: the first failure, or null. */
  public String smoke(List<Target> targets, List<SmokeCheck> checks) {
    for (List<Slice> stage : stages(targets, SIZE)) {
      for (GroupResult result : run(Job.SMOKE, stage, 0, null, checks)) {
        if (result.smokeFailure() != null) {
          return result.smokeFailure();
        }
      }
    }
    return null;
  }

  /** Stops what runs on {@code targets}, group after group. */
  public void stop(List<Target> targets) {
    for (List<Slice> stage : stages(targets, SIZE)) {
      run(Job.STOP, stage, 0, null, List.of());
    }
  }

  /** Whether a group that waits between its batches runs: a promote is then passed on to it. */
  public boolean steering() {
    return running.stream().anyMatch(Running::steerable);
  }

  /**
   * Passes a control on to the running groups without waiting: a group that has just closed must
   * not fail the handler.
   */
  public void forward(Consumer<DeploymentWorkflow> signal) {
    for (Running group : List.copyOf(running)) {
      Async.procedure(() -> signal.accept(group.stub()))
          .exceptionally(
              failure -> {
                tracker.event(
                    "control.forward-failed",
                    null,
                    "control not passed on to a target group: " + failure.getMessage());
                return null;
              });
    }
  }

  /**
   * Starts a group per slice, passes on what the controls asked for meanwhile, and waits for all of
   * them before taking over their reports, so no compensation starts while one is still at work. A
   * group that ended without a report leaves its targets unknown: they count as failed and deployed
   * to, so that restoring them redeploys what they ran.
   */
  private List<GroupResult> run(
      Job job, List<Slice> stage, int batches, Duration pause, List<SmokeCheck> checks) {
    List<Promise<GroupResult>> promises = new ArrayList<>();
    List<Running> started = new ArrayList<>();
    for (Slice slice : stage) {
      int base = tracker.reserveEvents(EVENTS);
      String id = request.deploymentId() + "-" + job.name().toLowerCase(Locale.ROOT) + "-" + base;
      DeploymentRequest part =
          request.toBuilder()
              .deploymentId(id)
              .service(request.service().withFleet(slice.targets()))
              .searchAttributes(false)
              .parentDeploymentId(tracker.ledgerRow())
              .parentEventBase(base)
              .autoRollback(null)
              .build();
      GroupWork work =
          new GroupWork(
              job,
              part,
              slice.batchSize(),
              // Other jobs run where the deployment is: its ledger row keeps its batch.
              job == Job.UPGRADE ? slice.firstBatch() : tracker.batch(),
              job == Job.UPGRADE ? batches : tracker.batches(),
              pause,
              tracker.statuses(slice.targets()),
              tracker.deployAttempted(slice.targets()),
              checks);
      TargetGroupWorkflow stub =
          Workflow.newChildWorkflowStub(
              TargetGroupWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(id)
                  .setStaticSummary(summary(job, slice))
                  .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                  .build());
      promises.add(Async.function(stub::run, work));
      started.add(new Running(stub, job == Job.UPGRADE && slice.batchCount() > 1));
    }
    for (int i = 0; i < started.size(); i++) {
      Workflow.getWorkflowExecution(started.get(i).stub()).get();
    }
    if (job == Job.UPGRADE) {
      running.addAll(started);
      // Controls accepted while the groups were being started reach them now.
      List<Running> these = started;
      Consumer<Consumer<DeploymentWorkflow>> tell =
          signal -> these.forEach(g -> signal.accept(g.stub()));
      if (tracker.abortRequested()) {
        tell.accept(g -> g.abortSignal(new ControlRequest(null, tracker.abortReason())));
      } else if (tracker.pauseRequested()) {
        tell.accept(g -> g.pauseSignal(new ControlRequest(null, "paused before this group")));
      }
      if (tracker.promotedFully()) {
        tell.accept(g -> g.promoteSignal(new ControlRequest(null, null, true)));
      }
    }
    List<GroupResult> results = new ArrayList<>();
    RuntimeException first = null;
    boolean cancelled = false;
    try {
      for (int i = 0; i < promises.size(); i++) {
        try {
          GroupResult result = promises.get(i).get();
          tracker.adoptGroup(result.targets(), result.deployAttempted());
          cancelled |= result.cancelled();
          results.add(result);
        } catch (RuntimeException e) {
          unknown(stage.get(i).targets(), DeploymentSteps.reason(e));
          first = first == null ? e : first;
        }
      }
    } finally {
      running.removeAll(started);
    }
    if (first != null) {
      throw first;
    }
    if (cancelled) {
      throw new CanceledFailure("a target group was cancelled");
    }
    return results;
  }

  /** Marks a group's targets that did not end as failed and deployed to: nothing says otherwise. */
  private void unknown(List<Target> targets, String why) {
    for (Target target : targets) {
      TargetState state = tracker.targetState(target);
      if (state != TargetState.UPGRADED
          && state != TargetState.ROLLED_BACK
          && state != TargetState.FAILED) {
        tracker.deployAttempted(target);
        tracker.targetQuietly(
            target, TargetState.FAILED, null, "its target group ended without a report: " + why);
      }
    }
  }

  /** The targets the groups of {@code stage} name as failed, in the stage's order. */
  private static List<Target> failed(List<Slice> stage, List<GroupResult> results) {
    Set<String> ids = new HashSet<>();
    results.forEach(r -> ids.addAll(r.failed()));
    List<Target> failed = new ArrayList<>();
    for (Slice slice : stage) {
      for (Target target : slice.targets()) {
        if (ids.contains(target.id())) {
          failed.add(target);
        }
      }
    }
    return failed;
  }

  private static String summary(Job job, Slice slice) {
    String what = job.name().toLowerCase(Locale.ROOT) + " " + slice.targets().size() + " targets";
    if (job != Job.UPGRADE) {
      return what;
    }
    return slice.batchCount() == 1
        ? what + " of batch " + slice.firstBatch()
        : what
            + ", batches "
            + slice.firstBatch()
            + "–"
            + (slice.firstBatch() + slice.batchCount() - 1);
  }
}
