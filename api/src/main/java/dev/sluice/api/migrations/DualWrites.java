package dev.sluice.api.migrations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.activities.Settings;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.common.Queries;
import dev.sluice.api.common.ReasonBody;
import dev.sluice.api.common.WorkflowStarts;
import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.AuditEntry;
import dev.sluice.ledger.FlagStore;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.DualWriteMigration;
import dev.sluice.workflows.migrations.DualWriteMigrationWorkflow;
import dev.sluice.workflows.migrations.DualWriteMigrationWorkflow.Status;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starting, steering and showing dual-write migrations: moves between two stores through the
 * dual-write phases (old only, write both, read new, new only) ({@link
 * DualWriteMigrationWorkflow}); the phase flag must exist, with the phases as variants.
 */
public final class DualWrites {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FlagStore flags;
  private final Ledger ledger;
  private final WorkflowClient client;
  private final String taskQueue;

  public DualWrites(FlagStore flags, Ledger ledger, WorkflowClient client, String taskQueue) {
    this.flags = flags;
    this.ledger = ledger;
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /**
   * Checks the migration (400 naming every problem) and starts it; 409 while one of that name runs.
   * Returns where it stands now: running, old-only.
   */
  public Status start(DualWriteBody body, String actor) {
    if (body == null) {
      throw ApiException.badRequest("body", "a dual-write migration is required");
    }
    List<FieldError> problems = new ArrayList<>();
    if (body.name() == null || !body.name().matches("[a-z0-9][a-z0-9_-]{0,62}")) {
      problems.add(new FieldError("name", "must be lower case letters, digits, - and _"));
    }
    if (body.flagKey() == null || flags.get(body.flagKey()).isEmpty()) {
      problems.add(
          new FieldError(
              "flagKey",
              "must name an existing flag whose variants are old-only, dual-write, shadow-read,"
                  + " read-new and new-only"));
    } else {
      JsonNode variants = variants(flags.get(body.flagKey()).orElseThrow().definition());
      List<String> phases = new ArrayList<>(List.of("old-only"));
      phases.addAll(DualWriteMigration.PHASES);
      for (String phase : phases) {
        // The repository maps the flag's value to a phase, the workflow sets the variant by
        // name: each phase's variant must serve its own name.
        if (!phase.equals(variants.path(phase).asText(null))) {
          problems.add(
              new FieldError(
                  "flagKey",
                  "the flag needs a variant \"" + phase + "\" serving \"" + phase + "\""));
          break;
        }
      }
    }
    if (body.metricsUrls() == null || body.metricsUrls().isEmpty()) {
      problems.add(new FieldError("metricsUrls", "must list the instances' /metrics URLs"));
    } else {
      for (int i = 0; i < body.metricsUrls().size(); i++) {
        String url = body.metricsUrls().get(i);
        try {
          URI uri = URI.create(url);
          if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException();
          }
          if (uri.getUserInfo() != null) {
            problems.add(new FieldError("metricsUrls[" + i + "]", "must not carry credentials"));
          }
        } catch (IllegalArgumentException | NullPointerException e) {
          problems.add(new FieldError("metricsUrls[" + i + "]", "must be an http(s) URL"));
        }
      }
    }
    Duration window = Duration.ofMinutes(5);
    if (body.window() != null) {
      try {
        window = Settings.parseDuration(body.window());
      } catch (RuntimeException e) {
        problems.add(new FieldError("window", "must be a duration like \"5m\""));
      }
      if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
        problems.add(new FieldError("window", "must be between 1s and 1d"));
      }
    }
    double rate = body.maxMismatchRate() == null ? 0 : body.maxMismatchRate();
    if (rate < 0 || rate > 1) {
      problems.add(new FieldError("maxMismatchRate", "must be between 0 and 1"));
    }
    if (!problems.isEmpty()) {
      throw ApiException.badRequest(problems);
    }
    DualWriteMigration migration =
        new DualWriteMigration(
            body.name(), body.flagKey(), body.metricsUrls(), window, rate, actor, 0);
    DualWriteMigrationWorkflow workflow =
        client.newWorkflowStub(
            DualWriteMigrationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(DualWriteMigrationWorkflow.workflowId(body.name()))
                .setTaskQueue(taskQueue)
                .setStaticSummary("dual-write " + body.name() + " via flag " + body.flagKey())
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .build());
    try {
      WorkflowStarts.start(
          () -> WorkflowClient.start(workflow::run, migration),
          "dual-write " + body.name(),
          "GET /api/v1/dual-writes/" + body.name());
    } catch (WorkflowExecutionAlreadyStarted running) {
      throw ApiException.conflict(
          "dual_write_running", "dual-write " + body.name() + " is running", Map.of());
    }
    ledger.audit(actor, START_ACTION, body.name(), Map.of("flagKey", body.flagKey()));
    return new Status(
        DualWriteMigrationWorkflow.State.RUNNING.name(),
        "old-only",
        0,
        0,
        null,
        List.of("starting"));
  }

  private JsonNode variants(String definition) {
    try {
      return JSON.readTree(definition).path("variants");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored flag definition is not JSON", e);
    }
  }

  public Status status(String name) {
    return Queries.orUnavailable(() -> query(name), "dual-write migration " + name);
  }

  /** What a dual-write migration's start is audited as: the list reads it. */
  static final String START_ACTION = "dualwrite.start";

  /**
   * The dual-write migrations started, newest start first, at most {@code limit}: the ledger's
   * {@code dualwrite.start} audit rows say which (by name, at its latest start), and one query each
   * where it stands. Once a query goes unanswered the rest are not asked ({@code unanswered}).
   */
  public List<DualWriteEntry> list(int limit) {
    Queries.ForList queries = new Queries.ForList();
    List<DualWriteEntry> list = new ArrayList<>();
    for (AuditEntry started : ledger.latestAudit(START_ACTION, limit)) {
      String name = started.subject();
      String flagKey =
          started.details() == null ? null : started.details().path("flagKey").asText(null);
      Map<String, String> links = Map.of("self", "/api/v1/dual-writes/" + name);
      String answer = "unanswered";
      Status status = null;
      String message = "no worker answered within " + Queries.TIMEOUT.toSeconds() + " s";
      try {
        Optional<Status> now = queries.within(() -> query(name));
        if (now.isPresent()) {
          answer = "status";
          status = now.get();
          message = null;
        }
      } catch (ApiException e) {
        if (e.status() != 404) {
          throw e;
        }
        answer = "none";
        message = "Temporal no longer has it";
      } catch (WorkflowServiceException e) {
        throw ApiException.unavailable("Temporal did not answer: " + e.getMessage());
      }
      list.add(
          new DualWriteEntry(
              name, flagKey, started.at(), started.actor(), answer, status, message, links));
    }
    return list;
  }

  /** Where the migration stands; empty when no worker answers in time. */
  private Optional<Status> current(String name) {
    return Queries.within(() -> query(name));
  }

  private Status query(String name) {
    try {
      return client
          .newWorkflowStub(
              DualWriteMigrationWorkflow.class, DualWriteMigrationWorkflow.workflowId(name))
          .status();
    } catch (WorkflowNotFoundException e) {
      throw ApiException.notFound("no dual-write migration " + name);
    }
  }

  /**
   * promote (move on after a clean window), resume (after a pause), abort (back to old-only).
   * Returns the body of the 202: the migration now, or the pending answer when no worker said where
   * it stands.
   */
  public Object control(String name, String action, ReasonBody body, String actor) {
    if (!List.of("promote", "resume", "abort").contains(action)) {
      throw ApiException.notFound(
          "unknown action \"" + action + "\"; actions: promote, resume, abort");
    }
    String id = DualWriteMigrationWorkflow.workflowId(name);
    Status now = current(name).orElse(null);
    if (now == null && !Queries.running(client, id)) {
      throw ApiException.conflict(
          "dual_write_ended", action + ": " + name + " is not running", Map.of());
    }
    if (now != null
        && !now.state().equals(DualWriteMigrationWorkflow.State.RUNNING.name())
        && !now.state().equals(DualWriteMigrationWorkflow.State.PAUSED.name())) {
      throw ApiException.conflict(
          "dual_write_ended", action + ": " + name + " has ended (" + now.state() + ")", Map.of());
    }
    if (now != null && action.equals("abort") && now.phase().equals("new-only")) {
      throw ApiException.conflict(
          "rollback_refused",
          "abort: new-only has begun; the old store no longer has every write",
          Map.of());
    }
    String reason = body == null ? null : body.reason();
    Queries.signal(client, id, action, reason);
    ledger.audit(
        actor, "dualwrite." + action, name, reason == null ? null : Map.of("reason", reason));
    return now == null ? Queries.pending(id, action) : current(name).orElse(now);
  }
}
