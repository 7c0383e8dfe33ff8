package dev.sluice.api.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.ProviderRegistry;
import dev.sluice.activities.Settings;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.common.Queries;
import dev.sluice.api.common.WorkflowStarts;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.services.FleetSources;
import dev.sluice.api.services.ServiceMapper;
import dev.sluice.api.services.ServiceSpec;
import dev.sluice.ledger.FlagStore.Flag;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.AutoRollbackSpec;
import dev.sluice.model.FlagRollout;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.workflows.flags.FlagRolloutWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts and steers {@link FlagRolloutWorkflow}s: one at a time per flag (workflow id {@code
 * flag-rollout-<key>}), checked before anything starts, every action audited.
 */
public final class FlagRollouts {

  static final int MAX_STAGES = 50;
  static final Duration MAX_BAKE = Duration.ofDays(365);

  /** The actions a running rollout takes. */
  public static final Set<String> ACTIONS = Set.of("promote", "pause", "resume", "abort");

  private final FlagService flags;
  private final Ledger ledger;
  private final WorkflowClient client;
  private final String taskQueue;
  private final ProviderRegistry providers;
  private final FleetSources fleets;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param providers the registry the worker uses: it says which metric provider a gated service's
   *     metrics come from, and what that provider cannot do
   */
  public FlagRollouts(
      FlagService flags,
      Ledger ledger,
      WorkflowClient client,
      String taskQueue,
      ProviderRegistry providers) {
    this.flags = flags;
    this.ledger = ledger;
    this.client = client;
    this.taskQueue = taskQueue;
    this.providers = providers;
    this.fleets = new FleetSources(providers);
  }

  /**
   * Body of a rollout: the variant, the stages (default: {@code FlagRollout.defaultPlan()}) and the
   * gate.
   */
  public record RolloutPlan(
      String variant,
      List<StageBody> stages,
      GateBody gate,
      Boolean killOnFailure,
      String reason) {}

  public record StageBody(Integer percent, String bake) {}

  /**
   * The metric gate: the service whose metrics show the flag's effect; {@code ceilings} as in a
   * service's {@code autoRollback.thresholds} (default: the post-deploy ceilings) checked every
   * {@code interval}; or, with {@code compareCohorts}, the sequential judge comparing flag-on and
   * flag-off users (metrics labelled by cohort: prometheus).
   */
  public record GateBody(
      String service,
      List<ServiceSpec.ThresholdBody> ceilings,
      String interval,
      Boolean compareCohorts) {}

  static String workflowId(String key) {
    return "flag-rollout-" + key;
  }

  /**
   * Checks a rollout plan for flag {@code key} and resolves it (stages default to {@code
   * FlagRollout.defaultPlan()}), without starting anything.
   *
   * @throws ApiException 404 for an unknown flag, 400 naming the field of a bad plan
   */
  public FlagRollout plan(String key, RolloutPlan plan, String actor) {
    Flag flag = flags.get(key);
    if (plan == null) {
      throw ApiException.badRequest("body", "a rollout plan is required: {variant, stages}");
    }
    FlagService.checkReason(plan.reason());
    List<FieldError> problems = new ArrayList<>();
    JsonNode variants = read(flag.definition()).path("variants");
    if (plan.variant() == null || !variants.has(plan.variant())) {
      List<String> names = new ArrayList<>();
      variants.fieldNames().forEachRemaining(names::add);
      problems.add(new FieldError("variant", "must be one of the flag's variants " + names));
    }
    List<FlagRollout.Stage> stages = new ArrayList<>();
    if (plan.stages() == null) {
      stages.addAll(FlagRollout.defaultPlan());
    } else if (plan.stages().isEmpty()) {
      problems.add(new FieldError("stages", "must list at least one stage, or be left out"));
    } else if (plan.stages().size() > MAX_STAGES) {
      problems.add(new FieldError("stages", "at most " + MAX_STAGES + " stages"));
    } else {
      int last = -1;
      for (int i = 0; i < plan.stages().size(); i++) {
        StageBody s = plan.stages().get(i);
        String at = "stages[" + i + "]";
        if (s == null || s.percent() == null || s.percent() < 0 || s.percent() > 100) {
          problems.add(new FieldError(at + ".percent", "must be a whole number from 0 to 100"));
          continue;
        }
        if (s.percent() < last) {
          problems.add(
              new FieldError(at + ".percent", "stages only go up: " + last + " came first"));
        }
        last = s.percent();
        Duration bake = Duration.ZERO;
        if (s.bake() != null) {
          try {
            bake = Settings.parseDuration(s.bake());
          } catch (RuntimeException e) {
            problems.add(new FieldError(at + ".bake", "must be a duration like \"1d\", \"30m\""));
          }
          if (bake.isNegative() || bake.compareTo(MAX_BAKE) > 0) {
            problems.add(
                new FieldError(
                    at + ".bake", "must be between 0 and " + MAX_BAKE.toDays() + " days"));
            bake = Duration.ZERO;
          }
        }
        stages.add(new FlagRollout.Stage(s.percent(), bake));
      }
    }
    FlagRollout.Gate gate = null;
    if (plan.gate() != null) {
      gate = gate(plan.gate(), problems);
    }
    if (!problems.isEmpty()) {
      throw ApiException.badRequest(problems);
    }
    return new FlagRollout(
        workflowId(key),
        key,
        plan.variant(),
        stages,
        gate,
        Boolean.TRUE.equals(plan.killOnFailure()),
        actor);
  }

  /** Whether a rollout of {@code key} is running now. */
  public boolean running(String key) {
    return Queries.running(client, workflowId(key));
  }

  public FlagRolloutWorkflow.Status start(String key, RolloutPlan plan, String actor) {
    FlagRollout rollout = plan(key, plan, actor);
    List<FlagRollout.Stage> stages = rollout.stages();
    FlagRolloutWorkflow workflow =
        client.newWorkflowStub(
            FlagRolloutWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId(key))
                .setTaskQueue(taskQueue)
                .setStaticSummary(
                    "roll out " + key + " " + plan.variant() + " in " + stages.size() + " stages")
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .build());
    try {
      WorkflowStarts.start(
          () -> WorkflowClient.start(workflow::run, rollout),
          "the rollout of " + key,
          "GET /api/v1/flags/" + key + "/rollouts/current");
    } catch (WorkflowExecutionAlreadyStarted running) {
      throw ApiException.conflict(
          "rollout_running",
          "a rollout of " + key + " is running; abort it first",
          Map.of("rollout", workflowId(key)));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("variant", plan.variant());
    details.put("stages", stages.stream().map(FlagRollout.Stage::percent).toList());
    if (plan.reason() != null) {
      details.put("reason", plan.reason());
    }
    ledger.audit(actor, "flag.rollout.start", key, details);
    return new FlagRolloutWorkflow.Status(
        FlagRolloutWorkflow.State.RUNNING.name(),
        0,
        stages.size(),
        0,
        null,
        List.of("rollout of " + key + " starting"));
  }

  public FlagRolloutWorkflow.Status status(String key) {
    return Queries.orUnavailable(() -> query(key), "the rollout of " + key);
  }

  private FlagRolloutWorkflow.Status query(String key) {
    try {
      return client.newWorkflowStub(FlagRolloutWorkflow.class, workflowId(key)).status();
    } catch (WorkflowNotFoundException e) {
      throw ApiException.notFound("no rollout of " + key);
    }
  }

  /**
   * Sends a control to the running rollout of {@code key}: its status after, or (no worker
   * answering) a note that the control applies when a worker picks it up.
   */
  public Object control(String key, String action, String reason, String actor) {
    FlagService.checkReason(reason);
    if (!ACTIONS.contains(action)) {
      throw ApiException.notFound("unknown action \"" + action + "\"; actions: " + ACTIONS);
    }
    if (!Queries.running(client, workflowId(key))) {
      throw ApiException.conflict(
          "no_running_rollout", "no rollout of " + key + " is running", Map.of());
    }
    Queries.signal(client, workflowId(key), action, reason);
    ledger.audit(
        actor, "flag.rollout." + action, key, reason == null ? null : Map.of("reason", reason));
    // Sent: Temporal keeps the signal. Without a worker to say where the rollout stands now, the
    // answer says so instead of waiting for one.
    return Queries.within(() -> (Object) query(key))
        .orElseGet(() -> Queries.pending(workflowId(key), action));
  }

  private FlagRollout.Gate gate(GateBody body, List<FieldError> problems) {
    if (body.service() == null) {
      problems.add(new FieldError("gate.service", "is required: whose metrics to watch"));
      return null;
    }
    ServiceDefinition stored = ledger.service(body.service()).orElse(null);
    if (stored == null) {
      problems.add(new FieldError("gate.service", "no service " + body.service()));
      return null;
    }
    ServiceDefinition service;
    try {
      // The gate watches the targets a discovered fleet has now, recorded in the rollout's input.
      service = fleets.resolve(stored);
    } catch (ApiException e) {
      throw e.nested("gate");
    }
    List<AutoRollbackSpec.Threshold> ceilings = null;
    if (body.ceilings() != null) {
      // The same checks as a service's post-deploy ceilings.
      try {
        ceilings =
            ServiceMapper.checkedCeilings(
                "gate.ceilings", body.ceilings(), service.effectiveAnalysis());
      } catch (ApiException e) {
        problems.addAll(e.body().errors());
      }
    }
    Duration interval = null;
    if (body.interval() != null) {
      try {
        interval = Settings.parseDuration(body.interval());
        if (interval.toMillis() < 1000) {
          problems.add(new FieldError("gate.interval", "must be at least 1s"));
          interval = null;
        }
      } catch (RuntimeException e) {
        problems.add(new FieldError("gate.interval", "must be a duration like \"1m\""));
      }
    }
    ProviderRef metrics =
        providers.metricProviderFor(service.effectiveAnalysis(), service.trafficRouter());
    if (metrics == null) {
      String router = service.trafficRouter() == null ? null : service.trafficRouter().type();
      problems.add(
          new FieldError(
              "gate.service",
              body.service()
                  + " has no metric provider (analysis.provider, or a traffic router with a"
                  + " default one; "
                  + router
                  + " has none)"));
    }
    boolean cohorts = Boolean.TRUE.equals(body.compareCohorts());
    String cannotCompare = cohorts && metrics != null ? cannotCompareCohorts(metrics) : null;
    if (cannotCompare != null) {
      problems.add(new FieldError("gate.compareCohorts", cannotCompare));
    }
    return new FlagRollout.Gate(
        service.name(),
        service.trafficRouter(),
        service.fleet(),
        service.effectiveAnalysis(),
        new AutoRollbackSpec(null, interval, ceilings, null),
        cohorts);
  }

  /**
   * What the provider says about comparing cohorts; {@code null} also when its settings are broken:
   * they were checked when the service was written, and an analysis reports them as a configuration
   * error.
   */
  private String cannotCompareCohorts(ProviderRef metrics) {
    try {
      return providers.metrics(metrics).cannotCompareCohorts();
    } catch (ConfigurationException e) {
      return null;
    }
  }

  private JsonNode read(String text) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
