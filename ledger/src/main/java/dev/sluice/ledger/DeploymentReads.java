package dev.sluice.ledger;

import static dev.sluice.ledger.Timestamps.instant;

import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.Waiting;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * What the ledger answers about deployments: their rows and events, each service's version history
 * (and the current and previous versions it implies), and what each target runs.
 */
final class DeploymentReads {

  static final String DEPLOYMENT_COLUMNS =
      "id, service, version, strategy, state, phase, batch, batches, reason, previous_version,"
          + " current_version, requested_by, idempotency_key, request_fingerprint, request,"
          + " targets, created_at, updated_at, finished_at, release_id, waiting, traffic_weight";

  static final String HISTORY_COLUMNS =
      "service, deployment_id, version, previous_version, outcome, started_at, finished_at,"
          + " current_version";

  private final LedgerJson json;

  DeploymentReads(LedgerJson json) {
    this.json = json;
  }

  Optional<DeploymentRecord> deployment(Handle h, String id) {
    return h.createQuery("SELECT " + DEPLOYMENT_COLUMNS + " FROM deployments WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> deploymentRow(rs))
        .findOne();
  }

  /** Newest first, at most {@code limit}; see {@link Ledger#deployments}. */
  List<DeploymentRecord> deployments(Handle h, String service, DeploymentState state, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(DEPLOYMENT_COLUMNS)
            .append(" FROM deployments WHERE 1 = 1");
    if (service != null) {
      sql.append(" AND service = :service");
    }
    if (state != null) {
      sql.append(" AND state = :state");
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
    Query query = h.createQuery(sql.toString()).bind("limit", limit);
    if (service != null) {
      query.bind("service", service);
    }
    if (state != null) {
      query.bind("state", state.name());
    }
    return query.map((rs, ctx) -> deploymentRow(rs)).list();
  }

  /**
   * The deployment and its events, the events read first; the caller runs it in one REPEATABLE READ
   * transaction (see {@link Ledger#deploymentWithEvents}).
   */
  Optional<DeploymentWithEvents> deploymentWithEvents(Handle h, String id) {
    List<DeploymentEvent> events = events(h, id);
    return deployment(h, id).map(d -> new DeploymentWithEvents(d, events));
  }

  List<DeploymentEvent> events(Handle h, String deploymentId) {
    return h.createQuery(
            "SELECT seq, at, type, target, message FROM deployment_events"
                + " WHERE deployment_id = :id ORDER BY at, seq")
        .bind("id", deploymentId)
        .map(
            (rs, ctx) ->
                new DeploymentEvent(
                    rs.getInt("seq"),
                    instant(rs, "at"),
                    rs.getString("type"),
                    rs.getString("target"),
                    rs.getString("message")))
        .list();
  }

  /** The service's finished deployments, oldest first. */
  List<VersionHistoryEntry> history(Handle h, String service) {
    return h.createQuery(
            "SELECT "
                + HISTORY_COLUMNS
                + " FROM version_history WHERE service = :service"
                + " ORDER BY finished_at, id")
        .bind("service", service)
        .map(
            (rs, ctx) ->
                new VersionHistoryEntry(
                    rs.getString("service"),
                    rs.getString("deployment_id"),
                    rs.getString("version"),
                    rs.getString("previous_version"),
                    DeploymentState.valueOf(rs.getString("outcome")),
                    instant(rs, "started_at"),
                    instant(rs, "finished_at"),
                    rs.getString("current_version")))
        .list();
  }

  /** See {@link Ledger#currentVersion}. */
  Optional<String> currentVersion(Handle h, String service) {
    List<VersionHistoryEntry> history = history(h, service);
    return history.isEmpty()
        ? Optional.empty()
        : Optional.ofNullable(history.get(history.size() - 1).currentVersion());
  }

  /** See {@link Ledger#previousVersion}. */
  Optional<String> previousVersion(Handle h, String service) {
    List<VersionHistoryEntry> history = history(h, service);
    if (history.isEmpty()) {
      return Optional.empty();
    }
    String current = history.get(history.size() - 1).currentVersion();
    // Newest first: what a deployment left running, then what ran before it (learned from the
    // fleet by the workflow), so a first deployment still knows the version it replaced.
    for (int i = history.size() - 1; i >= 0; i--) {
      VersionHistoryEntry entry = history.get(i);
      String after = entry.currentVersion();
      if (i < history.size() - 1 && after != null && !after.equals(current)) {
        return Optional.of(after);
      }
      String before = entry.previousVersion();
      if (before != null && !before.equals(current)) {
        return Optional.of(before);
      }
    }
    return Optional.empty();
  }

  /** What each of the service's targets runs, by target id, as far as the ledger knows. */
  static Map<String, String> targetVersions(Handle h, String service) {
    Map<String, String> versions = new LinkedHashMap<>();
    h.createQuery(
            "SELECT target_id, version FROM target_versions WHERE service = :service"
                + " ORDER BY target_id")
        .bind("service", service)
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
        .forEach(e -> versions.put(e.getKey(), e.getValue()));
    return versions;
  }

  /** A row of {@link #DEPLOYMENT_COLUMNS}. */
  DeploymentRecord deploymentRow(ResultSet rs) throws SQLException {
    String request = rs.getString("request");
    return new DeploymentRecord(
        rs.getString("id"),
        rs.getString("service"),
        rs.getString("version"),
        rs.getString("strategy"),
        DeploymentState.valueOf(rs.getString("state")),
        Phase.valueOf(rs.getString("phase")),
        rs.getInt("batch"),
        rs.getInt("batches"),
        rs.getString("reason"),
        rs.getString("previous_version"),
        rs.getString("current_version"),
        rs.getString("requested_by"),
        rs.getString("idempotency_key"),
        rs.getString("request_fingerprint"),
        request == null ? null : json.read(request, DeploymentRequest.class),
        json.readTargets(rs.getString("targets")),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        instant(rs, "finished_at"),
        rs.getString("release_id"),
        rs.getString("waiting") == null ? null : json.read(rs.getString("waiting"), Waiting.class),
        rs.getObject("traffic_weight", Integer.class));
  }
}
