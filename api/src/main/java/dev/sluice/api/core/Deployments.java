package dev.sluice.api.core;

import dev.sluice.api.api.ControlBody;
import dev.sluice.api.api.ControlView;
import dev.sluice.api.api.DeploymentCreate;
import dev.sluice.api.api.DeploymentView;
import dev.sluice.api.api.RollbackView;
import dev.sluice.api.api.ServiceSpec;
import dev.sluice.api.api.ServiceSpec.RollingSpec;
import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.BeginResult;
import dev.sluice.ledger.CircuitState;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.ledger.DeploymentWithEvents;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.NewDeployment;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.workflows.ControlRequest;
import dev.sluice.workflows.ControlResponse;
import dev.sluice.workflows.DeploymentWorkflow;
import dev.sluice.workflows.SluiceSearchAttributes;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.client.WorkflowUpdateTimeoutOrCancelledException;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting, steering and showing deployments: the API's use cases, between the resources and the
 * ledger and Temporal. A deployment is first recorded in the ledger (which enforces one active
 * deployment per service and idempotency keys), then its workflow is started; if the start fails,
 * the ledger row is closed, so nothing is left half-started.
 */
public final class Deployments {

  /** Versions: what tags, package versions and git shas look like, and nothing else. */
  public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  static final Set<String> CONTROLS =
      Set.of(
          DeploymentWorkflow.PAUSE,
          DeploymentWorkflow.RESUME,
          DeploymentWorkflow.ABORT,
          DeploymentWorkflow.PROMOTE,
          DeploymentWorkflow.RETRY);

  /** Longest reason a control may carry: it ends up in events and the audit trail. */
  static final int MAX_REASON = 1000;

  /** How long a control waits for a worker to accept it before answering 503. */
  static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);

  /** A lock held this long by a deployment whose workflow does not exist is stale. */
  static final Duration ORPHAN_AGE = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(Deployments.class);

  private final Ledger ledger;
  private final WorkflowClient client;
  private final String taskQueue;
  private final boolean searchAttributes;
  private final String temporalUi;
  private final Clock clock;
  private final ServiceMapper services;
  private final ExecutorService controls = Executors.newCachedThreadPool(daemon());

  public Deployments(
      Ledger ledger,
      WorkflowClient client,
      String taskQueue,
      boolean searchAttributes,
      String temporalUi,
      Clock clock,
      ServiceMapper services) {
    this.ledger = ledger;
    this.client = client;
    this.taskQueue = taskQueue;
    this.searchAttributes = searchAttributes;
    this.temporalUi = temporalUi;
    this.clock = clock;
    this.services = services;
  }

  /** Result of a start: the deployment, and whether it was created by an earlier request. */
  public record Started(DeploymentRecord deployment, boolean replay) {}

  /**
   * Validates the request, records it and starts its workflow.
   *
   * @throws ApiException 400/422 for bad input, 409 when the service is busy, 503 when Temporal
   *     cannot be reached (the ledger row is then closed as failed to start)
   */
  public Started start(DeploymentCreate body, String idempotencyKey, String actor) {
    Prepared prepared = prepare(body, idempotencyKey, actor);
    DeploymentRequest request = prepared.request();
    String previous = prepared.previousVersion();
    NewDeployment deployment =
        NewDeployment.of(request, idempotencyKey, prepared.fingerprint(), previous);
    String service = request.service().name();

    BeginResult begun = ledger.begin(deployment);
    if (begun instanceof BeginResult.Busy busy && reconcile(service, busy.runningDeploymentId())) {
      begun = ledger.begin(deployment);
    }
    if (begun instanceof BeginResult.Created created) {
      startWorkflow(request, previous);
      return new Started(created.deployment(), false);
    }
    if (begun instanceof BeginResult.Existing existing) {
      DeploymentRecord first = existing.deployment();
      if (first.state() == DeploymentState.PENDING
          && first.releaseId() == null
          && workflowMissing(first.id())) {
        // The first request was recorded but its workflow never started (the API died in
        // between): the client's retry is the moment to start it.
        startWorkflow(first.request(), first.previousVersion());
      }
      return new Started(first, true);
    }
    if (begun instanceof BeginResult.KeyReused reused) {
      throw ApiException.invalid(
          "Idempotency-Key",
          "was already used for deployment "
              + reused.deployment().id()
              + " with a different request");
    }
    throw busy(service, ((BeginResult.Busy) begun).runningDeploymentId());
  }

  /**
   * A deployment checked and resolved against its service, not yet recorded: the workflow input,
   * the version the service runs now and the request's fingerprint.
   */
  public record Prepared(DeploymentRequest request, String previousVersion, String fingerprint) {}

  /**
   * Checks a deployment request and resolves it against its service's definition and defaults,
   * without recording or starting anything.
   *
   * @throws ApiException 400/422 naming the field, 409 when the service's circuit is open
   */
  public Prepared prepare(DeploymentCreate body, String idempotencyKey, String actor) {
    if (body == null) {
      throw ApiException.badRequest(null, "a JSON body with service and version is required");
    }
    Problems problems = new Problems();
    if (body.service() == null || body.service().isBlank()) {
      problems.add("service", "is required");
    }
    if (body.version() == null) {
      problems.add("version", "is required");
    } else if (!VERSION.matcher(body.version()).matches()) {
      problems.add(
          "version", "must match " + VERSION.pattern() + ", got \"" + body.version() + "\"");
    }
    if (idempotencyKey != null && Ids.badIdempotencyKey(idempotencyKey)) {
      problems.add("Idempotency-Key", Ids.IDEMPOTENCY_KEY_RULE);
    }
    problems.throwIfAny();

    ServiceDefinition service =
        ledger
            .service(body.service())
            .orElseThrow(
                () ->
                    ApiException.invalid(
                        "service", "unknown service \"" + body.service() + "\"; PUT it first"));
    CircuitState circuit = ledger.circuit(service.name());
    if (circuit.open()) {
      throw ApiException.conflict(
          "circuit_open",
          "deployments of "
              + service.name()
              + " are blocked until "
              + circuit.blockedUntil()
              + " after "
              + circuit.consecutiveFailures()
              + " failed or rolled-back deployments in a row; an admin can reset it: POST"
              + " /api/v1/services/"
              + service.name()
              + "/circuit/reset",
          Map.of("blockedUntil", circuit.blockedUntil().toString()));
    }
    String strategy = body.strategy() != null ? body.strategy() : service.defaultStrategy();
    if (Strategy.byId(strategy).isEmpty()) {
      problems.add(
          "strategy",
          "unknown strategy \"" + strategy + "\"; known: " + ServiceMapper.strategies());
    }
    RollingOptions overrides =
        ServiceMapper.rolling("overrides", body.overrides(), service.fleet().size(), problems);
    problems.throwIfAny();
    CanaryOptions canaryOverrides =
        ServiceMapper.canary("canary", body.canary(), service.fleet().size(), problems);
    if (Strategy.CANARY.id().equals(strategy)
        && service.fleet().stream().map(t -> String.valueOf(t.pool())).distinct().count() > 1) {
      problems.add(
          "strategy",
          "a canary splits traffic within one backend; "
              + service.name()
              + "'s targets are in several pools");
    }
    if (Strategy.CANARY.id().equals(strategy) && service.fleet().size() < 2) {
      problems.add(
          "strategy", "a canary needs at least two targets; " + service.name() + " has one");
    }
    if (body.canary() != null && !Strategy.CANARY.id().equals(strategy)) {
      problems.add("canary", "only applies to strategy canary");
    }
    BlueGreenOptions blueGreenOverrides =
        ServiceMapper.blueGreen("blueGreen", body.blueGreen(), problems);
    if (body.blueGreen() != null && !Strategy.BLUE_GREEN.id().equals(strategy)) {
      problems.add("blueGreen", "only applies to strategy blue-green");
    }
    if (Strategy.BLUE_GREEN.id().equals(strategy)) {
      String pools = ServiceMapper.poolProblem(service.fleet());
      if (pools != null) {
        problems.add("strategy", pools);
      }
    }
    AutoRollbackSpec autoRollbackOverride =
        services.autoRollback(
            "autoRollback",
            body.autoRollback(),
            service.effectiveAnalysis(),
            service.trafficRouter(),
            problems);
    problems.throwIfAny();
    // Off unless the deployment or the service asks for it; the deployment's own settings win,
    // and what neither says takes the seed's defaults.
    AutoRollbackSpec given =
        autoRollbackOverride != null ? autoRollbackOverride : service.autoRollback();
    AutoRollbackSpec autoRollback = given == null ? null : given.orElse(AutoRollbackSpec.DEFAULT);
    RollingOptions effective =
        (overrides == null ? RollingOptions.NONE : overrides)
            .orElse(service.rolling())
            .orElse(RollingOptions.DEFAULT);
    CanaryOptions canary =
        Strategy.CANARY.id().equals(strategy)
            ? (canaryOverrides == null ? CanaryOptions.NONE : canaryOverrides)
                .orElse(service.canary())
                .orElse(CanaryOptions.DEFAULT)
            : null;
    BlueGreenOptions blueGreen =
        Strategy.BLUE_GREEN.id().equals(strategy)
            ? (blueGreenOverrides == null ? BlueGreenOptions.NONE : blueGreenOverrides)
                .orElse(service.blueGreen())
                .orElse(BlueGreenOptions.DEFAULT)
            : null;

    String id = Ids.random("dep-");
    String previous = ledger.currentVersion(service.name()).orElse(null);
    DeploymentRequest request =
        new DeploymentRequest(
            id,
            service,
            body.version(),
            strategy,
            effective,
            actor,
            searchAttributes,
            canary,
            blueGreen,
            null,
            autoRollback);
    return new Prepared(request, previous, fingerprint(body, strategy));
  }

  /**
   * Records a release's deployment as PENDING and takes its service for the release, before the
   * release starts: its workflow starts later, as a child of the release, once the stages before it
   * are done. While the release runs, nothing else deploys the service.
   *
   * @throws ApiException 409 naming the deployment that holds the service
   */
  public DeploymentRecord reserve(
      Prepared prepared, String releaseId, String idempotencyKey, String fingerprint) {
    NewDeployment deployment =
        NewDeployment.of(
            prepared.request(), idempotencyKey, fingerprint, prepared.previousVersion(), releaseId);
    String service = prepared.request().service().name();
    BeginResult begun = ledger.begin(deployment);
    if (begun instanceof BeginResult.Busy busy && reconcile(service, busy.runningDeploymentId())) {
      begun = ledger.begin(deployment);
    }
    if (begun instanceof BeginResult.Created created) {
      return created.deployment();
    }
    if (begun instanceof BeginResult.Existing existing
        && releaseId.equals(existing.deployment().releaseId())) {
      return existing.deployment(); // this release's own reservation, from an earlier attempt
    }
    if (begun instanceof BeginResult.KeyReused || begun instanceof BeginResult.Existing) {
      throw ApiException.invalid(
          "Idempotency-Key",
          "was already used for release " + releaseId + " with a different request");
    }
    throw busy(service, ((BeginResult.Busy) begun).runningDeploymentId());
  }

  /** Closes a reserved deployment whose release did not start; frees its service. */
  public void release(String deploymentId, String why) {
    ledger.startFailed(deploymentId, why);
  }

  private ApiException busy(String service, String holder) {
    Optional<DeploymentRecord> record = ledger.deployment(holder);
    String release = record.map(DeploymentRecord::releaseId).orElse(null);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("deploymentId", holder);
    details.put("deployment", "/api/v1/deployments/" + holder);
    if (release != null) {
      details.put("release", "/api/v1/releases/" + release);
    }
    return ApiException.conflict(
        "deployment_in_progress",
        "service "
            + service
            + " already has deployment "
            + holder
            + " in progress"
            + (release == null ? "" : " (a stage of release " + release + ")"),
        details);
  }

  private void startWorkflow(DeploymentRequest request, String previous) {
    String summary =
        request.strategy()
            + " "
            + request.service().name()
            + " "
            + (previous == null ? "?" : previous)
            + " → "
            + request.version();
    WorkflowOptions.Builder options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(request.deploymentId())
            .setTaskQueue(taskQueue)
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
            .setStaticSummary(summary)
            .setStaticDetails(StaticDetails.of(request));
    if (searchAttributes) {
      options.setTypedSearchAttributes(
          SearchAttributes.newBuilder()
              .set(SluiceSearchAttributes.SERVICE, request.service().name())
              .set(SluiceSearchAttributes.VERSION, request.version())
              .set(SluiceSearchAttributes.STRATEGY, request.strategy())
              .set(SluiceSearchAttributes.PHASE, Phase.PREPARING.name())
              .set(SluiceSearchAttributes.STATE, DeploymentState.RUNNING.name())
              .build());
    }
    try {
      client
          .newUntypedWorkflowStub(DeploymentWorkflow.typeOf(request.strategy()), options.build())
          .start(request);
    } catch (WorkflowExecutionAlreadyStarted alreadyStarted) {
      // An earlier attempt got through: the workflow runs, which is what was asked.
    } catch (RuntimeException e) {
      LOG.warn("Starting the workflow of {} failed", request.deploymentId(), e);
      boolean missing;
      try {
        missing = workflowMissing(request.deploymentId());
      } catch (RuntimeException unreachable) {
        // The start may or may not have reached Temporal. The deployment stays recorded; the
        // next request for this service reconciles it against Temporal.
        throw ApiException.unavailable(
            "Temporal did not answer ("
                + e.getMessage()
                + "); deployment "
                + request.deploymentId()
                + " may not have started: GET /api/v1/deployments/"
                + request.deploymentId()
                + " later");
      }
      if (!missing) {
        return; // the start reached Temporal although its answer did not reach us
      }
      ledger.startFailed(request.deploymentId(), "workflow did not start: " + e.getMessage());
      throw ApiException.unavailable(
          "Temporal did not accept the deployment (" + e.getMessage() + "); nothing was started");
    }
  }

  /**
   * Whether Temporal has no workflow with this id.
   *
   * @throws StatusRuntimeException when Temporal cannot be asked
   */
  private boolean workflowMissing(String workflowId) {
    return status(workflowId) == null;
  }

  /** The workflow's status, or null when Temporal has none with this id. */
  private WorkflowExecutionStatus status(String workflowId) {
    try {
      return client
          .getWorkflowServiceStubs()
          .blockingStub()
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace(client.getOptions().getNamespace())
                  .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                  .build())
          .getWorkflowExecutionInfo()
          .getStatus();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  /**
   * The service's lock is held by {@code holder}; when Temporal says its workflow is not running
   * (terminated from the UI, history lost with an embedded server), closes it in the ledger so the
   * service is free again. Returns whether it did.
   */
  private boolean reconcile(String service, String holder) {
    Optional<DeploymentRecord> record = ledger.deployment(holder);
    WorkflowExecutionStatus status;
    try {
      status = status(holder);
    } catch (StatusRuntimeException e) {
      return false; // Temporal unreachable: assume the holder is alive
    }
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return false;
    }
    if (record.isEmpty()) {
      return ledger.releaseLock(service, holder);
    }
    DeploymentRecord stale = record.get();
    if (status == null && stale.releaseId() != null) {
      // Recorded by a release, to start when the release reaches it: alive while the release is.
      try {
        if (status(stale.releaseId())
            == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
          return false;
        }
      } catch (StatusRuntimeException e) {
        return false;
      }
    }
    if (status == null && stale.createdAt().isAfter(clock.instant().minus(ORPHAN_AGE))) {
      return false; // another API process may be between recording and starting it
    }
    String why =
        status == null
            ? "its workflow no longer exists in Temporal"
            : "its workflow ended outside Sluice ("
                + status.name().replace("WORKFLOW_EXECUTION_STATUS_", "")
                + ")";
    LOG.warn("Deployment {} held {}'s lock but {}: closing it", holder, service, why);
    if (stale.state() == DeploymentState.PENDING && ledger.startFailed(holder, why)) {
      return true;
    }
    ledger.record(
        new LedgerEntry(
            holder,
            service,
            stale.version(),
            stale.previousVersion(),
            DeploymentState.ABORTED,
            Phase.COMPLETED,
            stale.batch(),
            stale.batches(),
            why,
            stale.targets(),
            List.of(),
            null));
    ledger.releaseLock(service, holder);
    return true;
  }

  /**
   * Rolls a service back to the version that ran before. A blue-green deployment still in its
   * rollback window switches traffic back to the old pool at once (an abort); otherwise the
   * previous version is deployed anew with the service's default strategy — rollback is a
   * deployment, as the seed says, with all its checks.
   */
  public RollbackView rollback(String service, String reason, String actor) {
    ledger.service(service).orElseThrow(() -> ApiException.notFound("no service " + service));
    Optional<String> holder = ledger.lockHolder(service);
    if (holder.isPresent()) {
      DeploymentRecord running =
          ledger.deployment(holder.get()).orElseThrow(() -> ApiException.notFound(holder.get()));
      if (!Strategy.BLUE_GREEN.id().equals(running.strategy())) {
        throw ApiException.conflict(
            "deployment_in_progress",
            "deployment "
                + running.id()
                + " of "
                + service
                + " is in progress: abort it, which rolls it back",
            Map.of("deploymentId", running.id()));
      }
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
    // No post-deploy window on a rollback: ceilings breached by whatever prompted it must not
    // roll the bad version back in.
    Started started =
        start(
            new DeploymentCreate(
                service,
                previous,
                null,
                null,
                null,
                null,
                new ServiceSpec.AutoRollbackBody("0s", null, null, null)),
            null,
            actor);
    ledger.audit(actor, "service.rollback", service, Map.of("to", previous));
    return new RollbackView(
        "redeploy",
        started.deployment().id(),
        previous,
        "deploying " + previous + ", the version that ran before");
  }

  /**
   * A retry the ledger can already refuse: of a deployment that succeeded, or of one that a later
   * deployment of the service followed (the retry would deploy an older version over it). The
   * workflow checks the second again when it takes the service's lock, so a race cannot slip by.
   */
  private void refuseStaleRetry(DeploymentRecord record, String actor, Map<String, Object> audit) {
    String message = null;
    Map<String, Object> details = Map.of();
    if (record.state() == DeploymentState.SUCCEEDED) {
      message = "retry: deployment succeeded; start a new deployment to deploy again";
    } else {
      Optional<String> later = ledger.newerDeployment(record.service(), record.id());
      if (later.isPresent()) {
        message =
            "retry: deployment "
                + later.get()
                + " of "
                + record.service()
                + " began after this one; retrying would deploy "
                + record.version()
                + " over it. Start a new deployment instead";
        details = Map.of("newerDeployment", "/api/v1/deployments/" + later.get());
      }
    }
    if (message != null) {
      audit.put("outcome", "rejected: " + message);
      ledger.audit(actor, "deployment.retry", record.id(), audit);
      throw ApiException.conflict("rejected", message, details);
    }
  }

  /**
   * The outcome of a control sent earlier: accepted (with the workflow's answer), rejected (with
   * its reason) or still pending, asked of Temporal for at most a second.
   */
  public ControlView controlOutcome(String id, String controlId) {
    DeploymentRecord record =
        ledger.deployment(id).orElseThrow(() -> ApiException.notFound("no deployment " + id));
    WorkflowStub stub = client.newUntypedWorkflowStub(record.id());
    try {
      ControlResponse response =
          stub.getUpdateHandle(controlId, ControlResponse.class)
              .getResultAsync(1, TimeUnit.SECONDS)
              .get(5, TimeUnit.SECONDS);
      return ControlView.accepted(id, null, controlId, response);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof WorkflowUpdateException rejected) {
        return ControlView.rejected(id, controlId, rejectionMessage(rejected));
      }
      if (cause instanceof TimeoutException
          || cause instanceof WorkflowUpdateTimeoutOrCancelledException) {
        return ControlView.pending(id, null, controlId, "no worker has taken it yet");
      }
      throw ApiException.notFound(
          "no control "
              + controlId
              + " of deployment "
              + id
              + " is known to Temporal ("
              + cause.getMessage()
              + "); a control not yet taken by a worker is lost if the Temporal server restarts");
    } catch (TimeoutException e) {
      return ControlView.pending(id, null, controlId, "no worker has taken it yet");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted");
    }
  }

  /** Sends a control to the deployment's workflow and audits it, accepted or not. */
  public ControlView control(String id, String action, ControlBody body, String actor) {
    if (!CONTROLS.contains(action)) {
      throw ApiException.notFound("unknown action \"" + action + "\"; actions: " + CONTROLS);
    }
    DeploymentRecord record =
        ledger.deployment(id).orElseThrow(() -> ApiException.notFound("no deployment " + id));
    String reason = body == null ? null : body.reason();
    Boolean full = body == null ? null : body.full();
    if (reason != null && reason.length() > MAX_REASON) {
      throw ApiException.invalid("reason", "must be at most " + MAX_REASON + " characters");
    }
    Map<String, Object> audit = new LinkedHashMap<>();
    audit.put("reason", reason);
    if (full != null) {
      audit.put("full", full);
    }
    if (record.state() == DeploymentState.PENDING && record.releaseId() != null) {
      audit.put("outcome", "rejected: waits for release " + record.releaseId());
      ledger.audit(actor, "deployment." + action, id, audit);
      throw ApiException.conflict(
          "rejected",
          action
              + ": deployment "
              + id
              + " is a stage of release "
              + record.releaseId()
              + " and has not started; steer the release: POST /api/v1/releases/"
              + record.releaseId()
              + "/{promote|abort}",
          Map.of("release", "/api/v1/releases/" + record.releaseId()));
    }
    if (action.equals(DeploymentWorkflow.RETRY)) {
      refuseStaleRetry(record, actor, audit);
    }
    String finished = DeploymentWorkflow.rejectionOnceFinished(action, record.state());
    if (finished != null) {
      audit.put("outcome", "rejected: already " + record.state());
      ledger.audit(actor, "deployment." + action, id, audit);
      throw ApiException.conflict("rejected", finished, Map.of());
    }
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    // The control's id is its Temporal update id: a client told "pending" asks for its outcome.
    String controlId = "ctl-" + UUID.randomUUID().toString().substring(0, 12);
    audit.put("controlId", controlId);
    UpdateOptions<ControlResponse> options =
        UpdateOptions.newBuilder(ControlResponse.class)
            .setUpdateName(action)
            .setUpdateId(controlId)
            .setWaitForStage(WorkflowUpdateStage.COMPLETED)
            .build();
    CompletableFuture<ControlResponse> update =
        CompletableFuture.supplyAsync(
            () -> stub.startUpdate(options, new ControlRequest(actor, reason, full)).getResult(),
            controls);
    try {
      ControlResponse response = update.get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      audit.put("outcome", "accepted");
      ledger.audit(actor, "deployment." + action, id, audit);
      return ControlView.accepted(id, action, controlId, response);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String message;
      if (cause instanceof WorkflowUpdateException rejected) {
        message = rejectionMessage(rejected);
      } else if (cause instanceof WorkflowNotFoundException) {
        message =
            action.equals(DeploymentWorkflow.RETRY)
                ? "retry: the deployment's retry window has passed; start a new deployment"
                : action + ": deployment is no longer running";
      } else {
        audit.put("outcome", "unknown: Temporal did not answer: " + cause.getMessage());
        ledger.audit(actor, "deployment." + action, id, audit);
        throw ApiException.unavailable(action + ": Temporal did not answer: " + cause.getMessage());
      }
      audit.put("outcome", "rejected: " + message);
      ledger.audit(actor, "deployment." + action, id, audit);
      throw ApiException.conflict("rejected", message, Map.of());
    } catch (TimeoutException e) {
      // Temporal holds the update for the next worker, which judges it then: "did not happen"
      // (503) would be untrue, so the answer is 202 with the control's id to ask about it.
      audit.put(
          "outcome", "pending: no worker answered within " + CONTROL_TIMEOUT.toSeconds() + "s");
      ledger.audit(actor, "deployment." + action, id, audit);
      return ControlView.pending(
          id,
          action,
          controlId,
          action
              + ": no worker has taken it within "
              + CONTROL_TIMEOUT.toSeconds()
              + " s (is a worker running?); Temporal holds it and the next worker accepts or"
              + " refuses it. GET /api/v1/deployments/"
              + id
              + "/controls/"
              + controlId
              + " tells which.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      audit.put("outcome", "unknown: interrupted while waiting for the answer");
      ledger.audit(actor, "deployment." + action, id, audit);
      throw ApiException.unavailable(action + ": interrupted");
    }
  }

  private static String rejectionMessage(WorkflowUpdateException rejected) {
    Throwable cause = rejected.getCause();
    while (cause != null) {
      if (cause instanceof ApplicationFailure app) {
        return app.getOriginalMessage();
      }
      cause = cause.getCause();
    }
    return rejected.getMessage();
  }

  // --- views ------------------------------------------------------------------------------------

  public DeploymentView view(String id) {
    DeploymentWithEvents recorded =
        ledger
            .deploymentWithEvents(id)
            .orElseThrow(() -> ApiException.notFound("no deployment " + id));
    return view(recorded.deployment(), recorded.events());
  }

  public List<DeploymentView> list(String service, DeploymentState state, int limit) {
    return ledger.deployments(service, state, limit).stream().map(r -> view(r, null)).toList();
  }

  DeploymentView view(DeploymentRecord r, List<DeploymentEvent> events) {
    Map<String, String> links = new LinkedHashMap<>();
    String self = "/api/v1/deployments/" + r.id();
    links.put("self", self);
    links.put("service", "/api/v1/services/" + r.service());
    links.put("history", "/api/v1/services/" + r.service() + "/history");
    if (r.releaseId() != null) {
      links.put("release", "/api/v1/releases/" + r.releaseId());
    }
    if (r.state() == DeploymentState.PENDING && r.releaseId() != null) {
      // Steered through its release until its workflow starts.
    } else if (!r.state().isFinal()) {
      for (String control : List.of("pause", "resume", "abort", "promote")) {
        links.put(control, self + "/" + control);
      }
    } else if (r.state() != DeploymentState.SUCCEEDED) {
      links.put("retry", self + "/retry");
    }
    if (temporalUi != null) {
      links.put(
          "temporal",
          temporalUi
              + "/namespaces/"
              + client.getOptions().getNamespace()
              + "/workflows/"
              + r.id());
    }
    return new DeploymentView(
        r.id(),
        r.service(),
        r.version(),
        r.previousVersion(),
        r.strategy(),
        r.state().name(),
        r.phase() == null ? null : r.phase().name(),
        new DeploymentView.Batch(r.batch(), r.batches()),
        r.targets().stream()
            .map(
                t ->
                    new DeploymentView.TargetView(
                        t.id(), t.previousVersion(), t.version(), t.state().name(), t.detail()))
            .toList(),
        r.reason(),
        r.requestedBy(),
        r.createdAt(),
        r.updatedAt(),
        r.finishedAt(),
        r.waiting() == null || r.state().isFinal()
            ? null
            : new DeploymentView.WaitingView(
                r.waiting().what(),
                r.waiting().since(),
                r.waiting().until(),
                r.waiting().forPromote() ? "promote" : "timer or promote"),
        r.trafficWeight(),
        events == null
            ? null
            : events.stream()
                .map(
                    e ->
                        new DeploymentView.EventView(
                            e.seq(), e.at(), e.type(), e.target(), e.message()))
                .toList(),
        links);
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Same request, same fingerprint: what an Idempotency-Key is compared on. */
  static String fingerprint(DeploymentCreate body, String strategy) {
    RollingSpec o = body.overrides();
    String canonical =
        String.join(
                "\n",
                body.service(),
                body.version(),
                strategy,
                o == null
                    ? ""
                    : String.valueOf(o.batchSize())
                        + '|'
                        + o.maxUnavailable()
                        + '|'
                        + o.pauseBetweenBatches()
                        + '|'
                        + o.drainTimeout()
                        + '|'
                        + o.rollbackOnFailure(),
                String.valueOf(body.canary()),
                String.valueOf(body.blueGreen()))
            // Appended only when given, so keys recorded before the field existed still match.
            + (body.autoRollback() == null ? "" : "\n" + body.autoRollback());
    return Ids.sha256Hex(canonical);
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "sluice-control");
      thread.setDaemon(true);
      return thread;
    };
  }

  public void close() {
    controls.shutdownNow();
  }
}
