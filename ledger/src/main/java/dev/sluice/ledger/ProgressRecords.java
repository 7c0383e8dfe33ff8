package dev.sluice.ledger;

import static dev.sluice.ledger.DeploymentReads.HISTORY_COLUMNS;
import static dev.sluice.ledger.NotificationOutbox.CIRCUIT_OPENED;
import static dev.sluice.ledger.NotificationOutbox.NOTIFIED;
import static dev.sluice.ledger.Timestamps.at;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.TargetStatus;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Update;

/**
 * A deployment's progress as its workflow reports it: the row's state and targets, its events, what
 * each target runs, and, when it ends, its version-history row and its lock's release. Late or
 * out-of-order reports never undo newer ones (see {@link Ledger#record}).
 */
final class ProgressRecords {

  private final LedgerJson json;
  private final Timestamps time;
  private final NotificationOutbox outbox;
  private final CircuitBreaker circuitBreaker;

  ProgressRecords(
      LedgerJson json, Timestamps time, NotificationOutbox outbox, CircuitBreaker circuitBreaker) {
    this.json = json;
    this.time = time;
    this.outbox = outbox;
    this.circuitBreaker = circuitBreaker;
  }

  /** See {@link Ledger#record}. */
  void record(Handle h, LedgerEntry entry) {
    Instant now = time.now();
    String id = entry.deploymentId();
    List<DeploymentEvent> events = entry.events() == null ? List.of() : entry.events();
    List<TargetStatus> changedTargets = entry.targets() == null ? List.of() : entry.targets();
    List<TargetStatus> targets = changedTargets;
    boolean done = entry.state().isFinal();
    Phase phase = entry.phase() == null ? Phase.PREPARING : entry.phase();

    // Locks the deployment's row for the rest of the transaction, so concurrent records of one
    // deployment run one after the other and the staleness check below sees the latest events.
    Optional<String> storedTargets =
        h.createQuery("SELECT COALESCE(targets, '[]') FROM deployments WHERE id = :id FOR UPDATE")
            .bind("id", id)
            .mapTo(String.class)
            .findOne();
    boolean known = storedTargets.isPresent();
    // The workflow sends only the targets that changed; merge them into the stored list by id.
    targets = merge(storedTargets.map(json::readTargets).orElse(List.of()), targets);
    if (!known) {
      h.createUpdate(
              "INSERT INTO deployments (id, service, version, state, phase, batch, batches,"
                  + " targets, created_at, updated_at)"
                  + " VALUES (:id, :service, :version, :state, :phase, 0, 0, :targets, :now, :now)")
          .bind("id", id)
          .bind("service", entry.service())
          .bind("version", entry.version())
          .bind("state", entry.state().name())
          .bind("phase", phase.name())
          .bind("targets", json.write(targets))
          .bind("now", at(now))
          .execute();
    }

    Optional<Integer> newestStored =
        h.createQuery(
                "SELECT MAX(seq) FROM deployment_events WHERE deployment_id = :id"
                    + " AND seq < :childEvents")
            .bind("id", id)
            // a child's events (numbered above) do not order the parent's own records
            .bind("childEvents", ChildEntry.CHILD_EVENTS)
            // MAX of no rows is one NULL row: map it to an Optional rather than a null element
            .map((rs, ctx) -> Optional.ofNullable(rs.getObject(1, Integer.class)))
            .one();
    insertNewEvents(h, id, entry.service(), events, entry.state().name(), entry.reason());
    boolean stale =
        !done
            && !events.isEmpty()
            && newestStored.isPresent()
            && events.stream().mapToInt(DeploymentEvent::seq).max().getAsInt() < newestStored.get();
    if (stale) {
      return;
    }

    String update =
        "UPDATE deployments SET state = :state, phase = :phase, batch = :batch,"
            + " batches = :batches, reason = :reason, targets = :targets, updated_at = :now,"
            + " waiting = :waiting, traffic_weight = :weight,"
            + " previous_version = COALESCE(:previous, previous_version)"
            + (done
                ? ", current_version = :current, finished_at = COALESCE(finished_at, :now)"
                    + " WHERE id = :id"
                : " WHERE id = :id AND finished_at IS NULL");
    Update progress =
        h.createUpdate(update)
            .bind("state", entry.state().name())
            .bind("phase", phase.name())
            .bind("batch", entry.batch())
            .bind("batches", entry.batches())
            .bind("previous", entry.previousVersion())
            .bind("reason", entry.reason())
            .bind("targets", json.write(targets))
            .bind("now", at(now))
            .bind("waiting", done || entry.waiting() == null ? null : json.write(entry.waiting()))
            .bind("weight", entry.trafficWeight())
            .bind("id", id);
    if (done) {
      progress.bind("current", entry.currentVersion());
    }
    int updated = progress.execute();
    if (updated == 0) {
      return; // a late progress report for a finished deployment
    }
    updateTargetVersions(h, entry.service(), id, changedTargets, now);
    if (done) {
      h.createUpdate(
              "INSERT INTO version_history ("
                  + HISTORY_COLUMNS
                  + ")"
                  + " SELECT service, id, version, previous_version, state, created_at,"
                  + " finished_at, current_version FROM deployments d WHERE d.id = :id"
                  + " AND NOT EXISTS (SELECT 1 FROM version_history v WHERE v.deployment_id = :id)")
          .bind("id", id)
          .execute();
      h.createUpdate("DELETE FROM service_locks WHERE service = :service AND deployment_id = :id")
          .bind("service", entry.service())
          .bind("id", id)
          .execute();
      if (entry.state() == DeploymentState.FAILED || entry.state() == DeploymentState.ROLLED_BACK) {
        CircuitState circuit = circuitBreaker.circuit(h, entry.service());
        if (circuit.open()) {
          outbox.add(
              h,
              id,
              0,
              entry.service(),
              CIRCUIT_OPENED,
              "deployments of "
                  + entry.service()
                  + " are blocked until "
                  + circuit.blockedUntil()
                  + " after "
                  + circuit.consecutiveFailures()
                  + " failed or rolled-back deployments in a row");
        }
      }
    }
  }

  /** See {@link Ledger#recordChild}. */
  void recordChild(Handle h, ChildEntry entry) {
    String id = entry.parentDeploymentId();
    Optional<String> stored =
        h.createQuery(
                "SELECT COALESCE(targets, '[]') FROM deployments WHERE id = :id"
                    + " AND finished_at IS NULL FOR UPDATE")
            .bind("id", id)
            .mapTo(String.class)
            .findOne();
    if (stored.isEmpty()) {
      return; // unknown or finished parent: its own final record is the truth
    }
    List<TargetStatus> changed = entry.targets() == null ? List.of() : entry.targets();
    insertNewEvents(
        h,
        id,
        entry.service(),
        entry.events() == null ? List.of() : entry.events(),
        (entry.paused() ? DeploymentState.PAUSED : DeploymentState.RUNNING).name(),
        null);
    Instant now = time.now();
    // A target group runs part of its parent's own flow: it says where the parent is (phase,
    // batch, wait). A canary's promotion is shown as the parent's PROMOTING phase.
    boolean part = entry.phase() != null;
    Phase shown = entry.paused() ? Phase.PAUSED : part ? entry.phase() : Phase.PROMOTING;
    Update update =
        h.createUpdate(
                "UPDATE deployments SET state = :state, phase = :phase, targets = :targets,"
                    + (part ? " batch = :batch, waiting = :waiting," : "")
                    + " updated_at = :now WHERE id = :id AND finished_at IS NULL")
            .bind(
                "state", (entry.paused() ? DeploymentState.PAUSED : DeploymentState.RUNNING).name())
            .bind("phase", shown.name())
            .bind("targets", json.write(merge(json.readTargets(stored.get()), changed)))
            .bind("now", at(now))
            .bind("id", id);
    if (part) {
      update
          .bind("batch", entry.batch())
          .bind("waiting", entry.waiting() == null ? null : json.write(entry.waiting()));
    }
    update.execute();
    updateTargetVersions(h, entry.service(), id, changed, now);
  }

  /**
   * Inserts the events whose sequence number is not stored yet; a retry resends some. The ones that
   * notify are announced with the deployment's {@code state} and {@code reason} as this record says
   * them (null: as stored).
   */
  private void insertNewEvents(
      Handle h,
      String deploymentId,
      String service,
      List<DeploymentEvent> events,
      String state,
      String reason) {
    if (events.isEmpty()) {
      return;
    }
    int lowest = events.stream().mapToInt(DeploymentEvent::seq).min().getAsInt();
    int highest = events.stream().mapToInt(DeploymentEvent::seq).max().getAsInt();
    Set<Integer> stored =
        new HashSet<>(
            h.createQuery(
                    "SELECT seq FROM deployment_events WHERE deployment_id = :id"
                        + " AND seq BETWEEN :lowest AND :highest")
                .bind("id", deploymentId)
                .bind("lowest", lowest)
                .bind("highest", highest)
                .mapTo(Integer.class)
                .list());
    PreparedBatch batch =
        h.prepareBatch(
            "INSERT INTO deployment_events (deployment_id, seq, at, type, target, message)"
                + " VALUES (:id, :seq, :at, :type, :target, :message)");
    for (DeploymentEvent event : events) {
      // stored.add also drops duplicates within this one entry
      if (stored.add(event.seq())) {
        batch
            .bind("id", deploymentId)
            .bind("seq", event.seq())
            .bind("at", at(event.at() == null ? time.now() : event.at()))
            .bind("type", event.type())
            .bind("target", event.target())
            .bind("message", event.message())
            .add();
        if (NOTIFIED.contains(event.type())) {
          outbox.add(
              h, deploymentId, event.seq(), service, event.type(), event.message(), state, reason);
        }
      }
    }
    if (batch.size() > 0) {
      batch.execute();
    }
  }

  /** Stores the version of every target whose version is known and differs from the stored one. */
  private void updateTargetVersions(
      Handle h, String service, String deploymentId, List<TargetStatus> targets, Instant now) {
    Map<String, String> stored = DeploymentReads.targetVersions(h, service);
    for (TargetStatus target : targets) {
      if (target.version() == null || target.version().equals(stored.get(target.id()))) {
        continue;
      }
      String sql =
          stored.containsKey(target.id())
              ? "UPDATE target_versions SET version = :version, deployment_id = :deployment,"
                  + " updated_at = :now WHERE service = :service AND target_id = :target"
              : "INSERT INTO target_versions (service, target_id, version, deployment_id,"
                  + " updated_at) VALUES (:service, :target, :version, :deployment, :now)";
      h.createUpdate(sql)
          .bind("service", service)
          .bind("target", target.id())
          .bind("version", target.version())
          .bind("deployment", deploymentId)
          .bind("now", at(now))
          .execute();
    }
  }

  /** {@code stored} with each of {@code changed} replacing its namesake, new ones appended. */
  static List<TargetStatus> merge(List<TargetStatus> stored, List<TargetStatus> changed) {
    Map<String, TargetStatus> byId = new LinkedHashMap<>();
    for (TargetStatus t : stored) {
      byId.put(t.id(), t);
    }
    for (TargetStatus t : changed) {
      byId.put(t.id(), t);
    }
    return List.copyOf(byId.values());
  }
}
