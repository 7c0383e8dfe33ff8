package dev.sluice.api.releases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sluice.api.common.Queries;
import dev.sluice.ledger.AuditEntry;
import dev.sluice.ledger.Ledger;
import dev.sluice.workflows.release.ReleaseWorkflow.Status;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The list of releases: which exist (the ledger's audit of their starts) and how each stands (the
 * Temporal server's description), without asking a worker.
 */
final class ReleaseLists {

  private static final Logger LOG = LoggerFactory.getLogger(ReleaseLists.class);

  private final Ledger ledger;
  private final WorkflowClient client;

  ReleaseLists(Ledger ledger, WorkflowClient client) {
    this.ledger = ledger;
    this.client = client;
  }

  /**
   * The newest {@code limit} releases, newest first, as summaries. The ledger's {@code
   * release.start} audit rows say which releases exist: every release has one, whatever its stages
   * (deployment rows name only the releases with a deployment, and are written before the start, so
   * also for releases that never started). The Temporal server says how each stands (a describe,
   * and the result once completed); no worker is asked, so a list of 100 costs no replay. When
   * Temporal cannot be reached, the rest are {@code UNKNOWN} without asking.
   */
  List<ReleaseSummary> newest(int limit) {
    List<ReleaseSummary> list = new ArrayList<>();
    boolean reachable = true;
    for (AuditEntry started : ledger.latestAudit(Releases.START_ACTION, limit)) {
      String id = started.subject();
      Outcome outcome = reachable ? outcome(id) : null;
      reachable = outcome != null;
      JsonNode details = started.details() == null ? MissingNode.getInstance() : started.details();
      String deployment = details.path("deployment").asText(null);
      Map<String, String> links = new LinkedHashMap<>();
      links.put("self", "/api/v1/releases/" + id);
      if (deployment != null) {
        links.put("deployment", "/api/v1/deployments/" + deployment.split(" ", 2)[0]);
      }
      list.add(
          new ReleaseSummary(
              id,
              started.at(),
              started.actor(),
              details.path("migration").asText(null),
              deployment,
              details.path("flagRollout").asText(null),
              details.path("gateAfter").asText(null),
              details.path("reason").asText(null),
              outcome == null ? UNKNOWN : outcome.state(),
              outcome == null ? null : outcome.stage(),
              Map.copyOf(links)));
    }
    return list;
  }

  private static final String UNKNOWN = "UNKNOWN";

  /** A release's workflow as the Temporal server describes it; see {@link ReleaseSummary}. */
  private record Outcome(String state, String stage) {}

  /**
   * The release's workflow status, and its final stage once it completed; UNKNOWN when Temporal no
   * longer has it; null when Temporal could not be asked.
   */
  private Outcome outcome(String id) {
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    WorkflowExecutionStatus status;
    try {
      status = stub.describe().getStatus();
    } catch (WorkflowNotFoundException e) {
      return new Outcome(UNKNOWN, null);
    } catch (RuntimeException e) {
      LOG.warn("Temporal did not describe release {}: {}", id, e.toString());
      return null;
    }
    String state = status.name().substring("WORKFLOW_EXECUTION_STATUS_".length());
    if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      return new Outcome(state, null);
    }
    try {
      Status result =
          stub.getResult(Queries.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, Status.class);
      return new Outcome(state, result.stage().name());
    } catch (TimeoutException | RuntimeException e) {
      LOG.warn("Temporal did not give release {}'s result: {}", id, e.toString());
      return new Outcome(state, null);
    }
  }
}
