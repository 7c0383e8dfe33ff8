package dev.sluice.api.deployments;

import dev.sluice.api.errors.ApiException;
import dev.sluice.api.services.ServiceMapper;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.workflows.DeploymentWorkflow;
import dev.sluice.workflows.Strategies;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starting, steering and showing deployments: the API's use cases, between the resources and the
 * ledger and Temporal — a façade over {@link DeploymentStarts}, {@link DeploymentControls} and
 * {@link DeploymentViews}, plus the service rollback that uses the first two. A deployment is first
 * recorded in the ledger (which enforces one active deployment per service and idempotency keys),
 * then its workflow is started; if the start fails, the ledger row is closed, so nothing is left
 * half-started.
 */
public final class Deployments {

  private final Ledger ledger;
  private final DeploymentStarts starts;
  private final DeploymentControls controls;
  private final DeploymentViews views;

  public Deployments(
      Ledger ledger,
      WorkflowClient client,
      String taskQueue,
      boolean searchAttributes,
      String temporalUi,
      Clock clock,
      ServiceMapper services) {
    this.ledger = ledger;
    this.starts =
        new DeploymentStarts(ledger, client, taskQueue, searchAttributes, clock, services);
    this.controls = new DeploymentControls(ledger, client);
    this.views = new DeploymentViews(ledger, client, temporalUi);
  }

  /** Result of a start: the deployment, and whether it was created by an earlier request. */
  public record Started(DeploymentRecord deployment, boolean replay) {}

  /**
   * A deployment checked and resolved against its service, not yet recorded: the workflow input,
   * the version the service runs now and the request's fingerprint.
   */
  public record Prepared(DeploymentRequest request, String previousVersion, String fingerprint) {}

  /** {@link DeploymentStarts#start}: validates the request, records it and starts its workflow. */
  public Started start(DeploymentCreate body, String idempotencyKey, String actor) {
    return starts.start(body, idempotencyKey, actor);
  }

  /** {@link DeploymentStarts#prepare}: checks and resolves a request, recording nothing. */
  public Prepared prepare(DeploymentCreate body, String idempotencyKey, String actor) {
    return starts.prepare(body, idempotencyKey, actor);
  }

  /** {@link DeploymentStarts#reserve}: records a release's deployment and takes its service. */
  public DeploymentRecord reserve(
      Prepared prepared, String releaseId, String idempotencyKey, String fingerprint) {
    return starts.reserve(prepared, releaseId, idempotencyKey, fingerprint);
  }

  /** {@link DeploymentStarts#release}: closes a reserved deployment whose release did not start. */
  public void release(String deploymentId, String why) {
    starts.release(deploymentId, why);
  }

  /** {@link DeploymentControls#control}: sends a control and audits it, accepted or not. */
  public ControlView control(String id, String action, ControlBody body, String actor) {
    return controls.control(id, action, body, actor);
  }

  /** {@link DeploymentControls#controlOutcome}: what became of a control sent earlier. */
  public ControlView controlOutcome(String id, String controlId) {
    return controls.controlOutcome(id, controlId);
  }

  /** The evidence behind the deployment's analysis verdicts; 404 for an unknown deployment. */
  public AnalysisView analysis(String id) {
    if (ledger.deployment(id).isEmpty()) {
      throw ApiException.notFound("no deployment " + id);
    }
    return AnalysisView.of(id, ledger.analysis(id));
  }

  public DeploymentView view(String id) {
    return views.view(id);
  }

  public List<DeploymentView> list(String service, DeploymentState state, int limit) {
    return views.list(service, state, limit);
  }

  public void close() {
    controls.close();
  }

  /**
   * Rolls a service back to the version that ran before. A running deployment whose abort switches
   * traffic back ({@code StrategyRules.abortSwitchesBack}: blue-green in its rollback window) is
   * aborted, which puts the old pool back at once; otherwise the previous version is deployed anew
   * with the service's default strategy — a rollback is a deployment, with all its checks — or,
   * when {@code fast}, as {@link FastRollback} says: its health checks and nothing else to wait
   * for.
   */
  public RollbackView rollback(String service, String reason, boolean fast, String actor) {
    ServiceDefinition definition =
        ledger.service(service).orElseThrow(() -> ApiException.notFound("no service " + service));
    Optional<String> holder = ledger.lockHolder(service);
    if (holder.isPresent()) {
      DeploymentRecord running =
          ledger.deployment(holder.get()).orElseThrow(() -> ApiException.notFound(holder.get()));
      if (!Strategies.byId(running.strategy()).orElseThrow().abortSwitchesBack()) {
        throw ApiException.conflict(
            "deployment_in_progress",
            "deployment "
                + running.id()
                + " of "
                + service
                + " is in progress: abort it, which rolls it back",
            Map.of("deploymentId", running.id()));
      }
      // Switching back is already the fastest rollback there is: fast changes nothing here.
      ControlView aborted =
          control(
              running.id(),
              DeploymentWorkflow.ABORT,
              new ControlBody("rollback" + (reason == null ? "" : ": " + reason), null),
              actor);
      return new RollbackView(
          "switch-back", running.id(), running.previousVersion(), aborted.message());
    }
    String previous =
        ledger
            .previousVersion(service)
            .orElseThrow(
                () ->
                    ApiException.conflict(
                        "no_previous_version",
                        service + " has no earlier version to roll back to",
                        Map.of()));
    Started started =
        starts.start(
            FastRollback.request(definition, previous, fast),
            null,
            actor,
            FastRollback.note(fast, reason));
    Map<String, Object> audit = new LinkedHashMap<>();
    audit.put("to", previous);
    audit.put("deploymentId", started.deployment().id());
    audit.put("fast", fast);
    if (reason != null) {
      audit.put("reason", reason);
    }
    ledger.audit(actor, "service.rollback", service, audit);
    return new RollbackView(
        "redeploy",
        started.deployment().id(),
        previous,
        (fast ? "fast rollback: deploying " : "deploying ")
            + previous
            + ", the version that ran before");
  }
}
