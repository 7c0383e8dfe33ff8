package dev.sluice.api.deployments;

import dev.sluice.api.common.Ids;
import dev.sluice.api.common.Problems;
import dev.sluice.api.deployments.Deployments.Prepared;
import dev.sluice.api.deployments.Deployments.Started;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.services.ServiceMapper;
import dev.sluice.api.services.ServiceSpec.RollingSpec;
import dev.sluice.api.services.StrategyOptions;
import dev.sluice.ledger.BeginResult;
import dev.sluice.ledger.CircuitState;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.NewDeployment;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.OptionOverrides;
import dev.sluice.model.Phase;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Versions;
import dev.sluice.workflows.SluiceSearchAttributes;
import dev.sluice.workflows.Strategies;
import dev.sluice.workflows.StrategyRules;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import dev.sluice.workflows.rolling.RollingRules;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting deployments: a request checked and resolved against its service ({@link #prepare}),
 * recorded in the ledger (which enforces one active deployment per service and idempotency keys),
 * then its workflow started; if the start fails, the ledger row is closed, so nothing is left
 * half-started. A lock held by a workflow Temporal no longer runs is reconciled first.
 */
final class DeploymentStarts {

  private final Ledger ledger;
  private final WorkflowClient client;
  private final String taskQueue;
  private final boolean searchAttributes;
  private final Clock clock;
  private final ServiceMapper services;

  DeploymentStarts(
      Ledger ledger,
      WorkflowClient client,
      String taskQueue,
      boolean searchAttributes,
      Clock clock,
      ServiceMapper services) {
    this.ledger = ledger;
    this.client = client;
    this.taskQueue = taskQueue;
    this.searchAttributes = searchAttributes;
    this.clock = clock;
    this.services = services;
  }

  /** A lock held this long by a deployment whose workflow does not exist is stale. */
  static final Duration ORPHAN_AGE = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(Deployments.class);

  /**
   * Validates the request, records it and starts its workflow.
   *
   * @throws ApiException 400/422 for bad input, 409 when the service is busy, 503 when Temporal
   *     cannot be reached (the ledger row is then closed as failed to start)
   */
  public Started start(DeploymentCreate body, String idempotencyKey, String actor) {
    return start(body, idempotencyKey, actor, null);
  }

  /**
   * {@link #start(DeploymentCreate, String, String)} of a deployment Sluice starts for a reason of
   * its own ({@code note}, e.g. "fast rollback: …"), said in the deployment's started event.
   */
  public Started start(DeploymentCreate body, String idempotencyKey, String actor, String note) {
    Prepared prepared = prepare(body, idempotencyKey, actor, note);
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
   * Checks a deployment request and resolves it against its service's definition and defaults,
   * without recording or starting anything. A service's discovered fleet is resolved here ({@link
   * ServiceMapper#resolveFleet}), so every caller (a start, a release's stages, a rollback) gets
   * the hosts its source holds at that moment.
   *
   * @throws ApiException 400/422 naming the field, 409 when the service's circuit is open, 503 when
   *     the service's fleet source cannot be reached
   */
  public Prepared prepare(DeploymentCreate body, String idempotencyKey, String actor) {
    return prepare(body, idempotencyKey, actor, null);
  }

  private Prepared prepare(
      DeploymentCreate body, String idempotencyKey, String actor, String note) {
    if (body == null) {
      throw ApiException.badRequest(null, "a JSON body with service and version is required");
    }
    Problems problems = new Problems();
    if (body.service() == null || body.service().isBlank()) {
      problems.add("service", "is required");
    }
    if (body.version() == null) {
      problems.add("version", "is required");
    } else if (!Versions.isValid(body.version())) {
      problems.add(
          "version",
          "must match " + Versions.PATTERN.pattern() + ", got " + Problems.quote(body.version()));
    }
    if (idempotencyKey != null && Ids.badIdempotencyKey(idempotencyKey)) {
      problems.add("Idempotency-Key", Ids.IDEMPOTENCY_KEY_RULE);
    }
    problems.throwIfAny();

    ServiceDefinition stored =
        ledger
            .service(body.service())
            .orElseThrow(
                () ->
                    ApiException.invalid(
                        "service",
                        "unknown service " + Problems.quote(body.service()) + "; PUT it first"));
    CircuitState circuit = ledger.circuit(stored.name());
    if (circuit.open()) {
      throw ApiException.conflict(
          "circuit_open",
          "deployments of "
              + stored.name()
              + " are blocked until "
              + circuit.blockedUntil()
              + " after "
              + circuit.consecutiveFailures()
              + " failed or rolled-back deployments in a row; an admin can reset it: POST"
              + " /api/v1/services/"
              + stored.name()
              + "/circuit/reset",
          Map.of("blockedUntil", circuit.blockedUntil().toString()));
    }
    // A discovered fleet is learnt now, before anything is recorded: the targets go into the
    // workflow input (history and the ledger show exactly which hosts), and a source that cannot
    // answer leaves nothing behind. Every check below sees the resolved fleet.
    ServiceDefinition service = services.resolveFleet(stored);
    String strategy = body.strategy() != null ? body.strategy() : service.defaultStrategy();
    Optional<StrategyRules> known = Strategies.byId(strategy);
    if (known.isEmpty()) {
      problems.add("strategy", "unknown strategy \"" + strategy + "\"; known: " + Strategies.ids());
    }
    RollingOptions rollingOverrides =
        StrategyOptions.rolling("overrides", body.overrides(), service.fleet().size(), problems);
    problems.throwIfAny();
    StrategyRules rules = known.orElseThrow();
    CanaryOptions canaryOverrides =
        StrategyOptions.canary("canary", body.canary(), service.fleet().size(), problems);
    BlueGreenOptions blueGreenOverrides =
        StrategyOptions.blueGreen("blueGreen", body.blueGreen(), problems);
    rules.fleetProblems(service.name(), service.fleet()).forEach(p -> problems.add("strategy", p));
    Map<String, Boolean> blocks =
        Map.of("canary", body.canary() != null, "blueGreen", body.blueGreen() != null);
    for (StrategyRules other : Strategies.ALL) {
      String field = other.optionsField();
      if (other != rules && field != null && blocks.getOrDefault(field, false)) {
        problems.add(field, "only applies to strategy " + other.strategy().id());
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
    // and what neither says takes Sluice's defaults.
    AutoRollbackSpec autoRollback =
        autoRollbackOverride != null ? autoRollbackOverride : service.autoRollback();
    DeploymentRequest request =
        rules
            .settle(
                new OptionOverrides(rollingOverrides, canaryOverrides, blueGreenOverrides),
                service,
                DeploymentRequest.builder())
            .deploymentId(Ids.random("dep-"))
            .service(service)
            .version(body.version())
            .strategy(strategy)
            .requestedBy(actor)
            .note(note)
            .searchAttributes(searchAttributes)
            .autoRollback(
                autoRollback == null ? null : autoRollback.orElse(AutoRollbackSpec.DEFAULT))
            .build();
    if (rules.strategy() == Strategy.ROLLING) {
      boolean overridden = body.overrides() != null && body.overrides().byZone() != null;
      RollingRules.zoneProblems(service.fleet(), request.rolling())
          .forEach(p -> problems.add(overridden ? "overrides.byZone" : "strategy", p));
      problems.throwIfAny();
    }
    String previous = ledger.currentVersion(service.name()).orElse(null);
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
    // The ledger knows no previous version before a service's first finished deployment: the
    // summary then names only the new one (the workflow's details show what each target ran).
    String summary =
        request.strategy()
            + " "
            + request.service().name()
            + " "
            + (previous == null ? "" : previous + " ")
            + "→ "
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
          .newUntypedWorkflowStub(Strategies.workflowType(request.strategy()), options.build())
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
            + (body.autoRollback() == null ? "" : "\n" + body.autoRollback())
            + (o == null
                    || o.byZone() == null && o.zoneBake() == null && o.minHealthyPerZone() == null
                ? ""
                : "\nzones " + o.byZone() + '|' + o.zoneBake() + '|' + o.minHealthyPerZone());
    return Ids.sha256Hex(canonical);
  }
}
