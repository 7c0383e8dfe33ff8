package dev.sluice.workflows.canary;

import static dev.sluice.workflows.canary.CanaryDeploymentWorkflowTest.FLEET;
import static dev.sluice.workflows.canary.CanaryDeploymentWorkflowTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.CanaryStep;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.Phase;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import dev.sluice.workflows.rolling.RollingDeploymentWorkflowImpl;
import dev.sluice.workflows.testing.InMemoryFleet;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Controls that race on one canary, as two people on two dashboards or a CI job and a person do:
 * released together by a latch against the workflow's Update handlers. Whatever the order Temporal
 * takes them in, the deployment ends in one outcome, each accepted control is in its history
 * exactly once, a refused one not at all, and the fleet and the ledger agree.
 */
class CanaryControlRacesTest {

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              CanaryDeploymentWorkflowImpl.class, RollingDeploymentWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  /** A control as a client sends it. */
  record Control(String type, Function<CanaryDeploymentWorkflow, ?> send) {}

  static final Control PROMOTE =
      new Control("control.promote", w -> w.promote(ControlRequest.of("alice", "looks fine")));
  static final Control ABORT =
      new Control("control.abort", w -> w.abort(ControlRequest.of("bob", "pager")));
  static final Control PAUSE =
      new Control("control.pause", w -> w.pause(ControlRequest.of("carol", "graphs")));
  static final Control RESUME =
      new Control("control.resume", w -> w.resume(ControlRequest.of("dave", null)));

  CanaryDeploymentWorkflow startWaiting(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, InMemoryFleet fleet) {
    worker.registerActivitiesImplementations(fleet);
    env.start();
    CanaryDeploymentWorkflow workflow =
        client.newWorkflowStub(
            CanaryDeploymentWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("can-race")
                .setTaskQueue(worker.getTaskQueue())
                .build());
    WorkflowClient.start(
        workflow::run,
        request(
            "can-race",
            List.of(
                CanaryStep.weight(25), CanaryStep.pauseUntilPromoted(), CanaryStep.weight(50))));
    waitFor(workflow, s -> s.phase() == Phase.WAITING);
    return workflow;
  }

  /** Sends every control at one moment; true for each one the workflow accepted. */
  static List<Boolean> atOnce(CanaryDeploymentWorkflow workflow, List<Control> controls)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(controls.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> sent = new ArrayList<>();
      for (Control control : controls) {
        Callable<Boolean> send =
            () -> {
              go.await();
              try {
                control.send().apply(workflow);
                return true;
              } catch (WorkflowUpdateException refused) {
                return false;
              }
            };
        sent.add(pool.submit(send));
      }
      go.countDown();
      List<Boolean> accepted = new ArrayList<>();
      for (Future<Boolean> f : sent) {
        accepted.add(f.get(1, TimeUnit.MINUTES));
      }
      return accepted;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Every event the ledger was given, by sequence number (records repeat recent events). */
  static List<DeploymentEvent> recordedEvents(InMemoryFleet fleet) {
    Map<Integer, DeploymentEvent> bySeq = new TreeMap<>();
    for (LedgerEntry entry : fleet.ledger()) {
      if (entry.events() != null) {
        entry.events().forEach(e -> bySeq.putIfAbsent(e.seq(), e));
      }
    }
    return List.copyOf(bySeq.values());
  }

  static long count(List<DeploymentEvent> events, String type) {
    return events.stream().filter(e -> e.type().equals(type)).count();
  }

  static long finalRecords(InMemoryFleet fleet) {
    return fleet.ledger().stream()
        .filter(e -> e.state() != null && e.state().isFinal())
        .map(LedgerEntry::state)
        .distinct()
        .count();
  }

  @Test
  void promoteAndAbortRacingEndInOneOutcomeWithEachAcceptedControlRecordedOnce(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    CanaryDeploymentWorkflow workflow = startWaiting(env, worker, client, fleet);

    List<Boolean> accepted = atOnce(workflow, List.of(PROMOTE, ABORT));
    DeploymentStatus end = waitFor(workflow, s -> s.state().isFinal());

    assertThat(accepted.get(1)).as("an abort while waiting is always taken").isTrue();
    assertThat(end.state()).isEqualTo(DeploymentState.ABORTED);
    List<DeploymentEvent> events = recordedEvents(fleet);
    assertThat(count(events, "control.abort")).isEqualTo(1);
    assertThat(count(events, "control.promote")).isEqualTo(accepted.get(0) ? 1 : 0);
    assertThat(finalRecords(fleet)).as("one outcome in the ledger").isEqualTo(1);
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo("1.0.0"));
    assertThat(fleet.outOfRotation()).isEmpty();
    fleet.assertLedgerMatchesFleet();
  }

  @Test
  void fiftyClientsHammeringControlsLeaveOneConsistentHistory(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    InMemoryFleet fleet = new InMemoryFleet(FLEET, "1.0.0");
    CanaryDeploymentWorkflow workflow = startWaiting(env, worker, client, fleet);
    List<Control> controls = new ArrayList<>();
    Control[] kinds = {PAUSE, RESUME, PROMOTE, PAUSE, RESUME};
    for (int i = 0; i < 50; i++) {
      controls.add(kinds[i % kinds.length]);
    }

    List<Boolean> accepted = atOnce(workflow, controls);
    // Whatever the hammering left (paused, waiting, promoted on), an abort ends it.
    if (!workflow.status().state().isFinal()) {
      try {
        ABORT.send().apply(workflow);
      } catch (WorkflowUpdateException alreadyEnding) {
        // It ended between the status and the abort.
      }
    }
    DeploymentStatus end = waitFor(workflow, s -> s.state().isFinal());

    assertThat(end.state()).isIn(DeploymentState.ABORTED, DeploymentState.SUCCEEDED);
    List<DeploymentEvent> events = recordedEvents(fleet);
    for (Control kind : List.of(PAUSE, RESUME, PROMOTE)) {
      long taken = 0;
      for (int i = 0; i < controls.size(); i++) {
        if (controls.get(i) == kind && accepted.get(i)) {
          taken++;
        }
      }
      assertThat(count(events, kind.type()))
          .as("%s events against %s accepted", kind.type(), taken)
          .isEqualTo(taken);
    }
    assertThat(accepted).as("some controls were taken, some refused").contains(true, false);
    assertThat(finalRecords(fleet)).as("one outcome in the ledger").isEqualTo(1);
    String version = end.state() == DeploymentState.SUCCEEDED ? "2.0.0" : "1.0.0";
    assertThat(FLEET).allSatisfy(t -> assertThat(fleet.version(t.id())).isEqualTo(version));
    assertThat(fleet.outOfRotation()).isEmpty();
    fleet.assertLedgerMatchesFleet();
  }

  private static DeploymentStatus waitFor(
      CanaryDeploymentWorkflow workflow, Predicate<DeploymentStatus> done) {
    return Awaitility.await("deployment status")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(workflow::status, done::test);
  }
}
