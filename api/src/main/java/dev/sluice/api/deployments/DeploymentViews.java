package dev.sluice.api.deployments;

import dev.sluice.api.errors.ApiException;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.ledger.DeploymentWithEvents;
import dev.sluice.ledger.Ledger;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Target;
import io.temporal.client.WorkflowClient;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Deployments as the API shows them, from the ledger: state, targets, events and links. */
final class DeploymentViews {

  private final Ledger ledger;
  private final WorkflowClient client;
  private final String temporalUi;

  DeploymentViews(Ledger ledger, WorkflowClient client, String temporalUi) {
    this.ledger = ledger;
    this.client = client;
    this.temporalUi = temporalUi;
  }

  public DeploymentView view(String id) {
    DeploymentWithEvents recorded =
        ledger
            .deploymentWithEvents(id)
            .orElseThrow(() -> ApiException.notFound("no deployment " + id));
    DeploymentView view = view(recorded.deployment(), recorded.events());
    return ledger
        .latestActualWeight(id)
        .map(
            p ->
                view.withActualWeight(
                    new DeploymentView.ActualWeight(
                        p.actualWeight(), p.at(), p.canaryRequests(), p.baselineRequests())))
        .orElse(view);
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
    links.put("analysis", self + "/analysis");
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
        targets(r),
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
        null,
        needsAttention(r),
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

  /**
   * Whether a person should look at the deployment now: it waits for one (paused, or at a step only
   * promote ends), it failed, or its analysis could not decide. The dashboard's "needs attention"
   * filter and the CLI's list read this; the rule lives here only.
   */
  static boolean needsAttention(DeploymentRecord r) {
    DeploymentState state = r.state();
    boolean waitsForPromote = !state.isFinal() && r.waiting() != null && r.waiting().forPromote();
    return state == DeploymentState.PAUSED
        || state == DeploymentState.FAILED
        || waitsForPromote
        || (r.reason() != null && r.reason().toLowerCase(Locale.ROOT).contains("inconclusive"));
  }

  /** The targets' states, with the pool and zone the deployment's fleet gives each. */
  private static List<DeploymentView.TargetView> targets(DeploymentRecord r) {
    Map<String, Target> fleet = new HashMap<>();
    if (r.request() != null
        && r.request().service() != null
        && r.request().service().fleet() != null) {
      r.request().service().fleet().forEach(t -> fleet.put(t.id(), t));
    }
    return r.targets().stream()
        .map(
            t -> {
              Target known = fleet.get(t.id());
              return new DeploymentView.TargetView(
                  t.id(),
                  t.previousVersion(),
                  t.version(),
                  t.state().name(),
                  t.detail(),
                  known == null ? null : known.pool(),
                  known == null ? null : known.zone());
            })
        .toList();
  }
}
