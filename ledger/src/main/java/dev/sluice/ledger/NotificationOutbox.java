package dev.sluice.ledger;

import static dev.sluice.ledger.Timestamps.at;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The notification outbox: notifications are added in the transaction of what they announce, then
 * claimed for a lease by a dispatcher, and marked delivered or failed (to be retried later).
 */
final class NotificationOutbox {

  /** Notification type of a circuit breaker opening. */
  static final String CIRCUIT_OPENED = "circuit.opened";

  /** Event types that go out as notifications (webhooks). */
  static final Set<String> NOTIFIED =
      Set.of(
          "deployment.started",
          "batch.started",
          "step.started",
          "deployment.paused",
          "deployment.paused-for-a-person",
          "control.promote",
          "deployment.aborted",
          "deployment.rolled_back",
          "deployment.failed",
          "deployment.succeeded",
          CIRCUIT_OPENED);

  private final LedgerJson json;
  private final Timestamps time;

  NotificationOutbox(LedgerJson json, Timestamps time) {
    this.json = json;
    this.time = time;
  }

  /** Adds a notification to the outbox; a second one for the same event is ignored. */
  void add(Handle h, String deploymentId, int seq, String service, String type, String message) {
    add(h, deploymentId, seq, service, type, message, null, null);
  }

  /**
   * Adds a notification to the outbox with what a reader acts on: the deployment's version and
   * strategy, and its {@code state} and {@code reason} when this event was recorded (null: as
   * stored). A second one for the same event is ignored.
   */
  void add(
      Handle h,
      String deploymentId,
      int seq,
      String service,
      String type,
      String message,
      String state,
      String reason) {
    Map<String, Object> deployment =
        h.createQuery("SELECT version, strategy, state, reason FROM deployments WHERE id = :id")
            .bind("id", deploymentId)
            .mapToMap()
            .findOne()
            .orElse(Map.of());
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("type", type);
    payload.put("service", service);
    payload.put("deploymentId", deploymentId);
    payload.put("version", deployment.get("version"));
    payload.put("strategy", deployment.get("strategy"));
    payload.put("state", state != null ? state : deployment.get("state"));
    payload.put("reason", reason != null ? reason : deployment.get("reason"));
    payload.put("message", message);
    payload.put("at", time.now().toString());
    h.createUpdate(
            "INSERT INTO notifications (deployment_id, seq, service, type, message, payload,"
                + " created_at, attempts)"
                + " SELECT :id, :seq, :service, :type, :message, :payload, :now, 0"
                + " WHERE NOT EXISTS (SELECT 1 FROM notifications"
                + " WHERE deployment_id = :id AND seq = :seq AND type = :type)")
        .bind("id", deploymentId)
        .bind("seq", seq)
        .bind("service", service)
        .bind("type", type)
        .bind("message", message)
        .bind("payload", json.write(payload))
        .bind("now", at(time.now()))
        .execute();
  }

  /** See {@link Ledger#claimNotifications}. */
  List<Notification> claim(Handle h, int limit, int maxAttempts, Duration lease) {
    Instant now = time.now();
    List<Notification> candidates =
        h.createQuery(
                "SELECT id, service, type, payload, attempts FROM notifications"
                    + " WHERE delivered_at IS NULL AND attempts < :max"
                    + " AND (claimed_until IS NULL OR claimed_until < :now)"
                    + " ORDER BY id")
            .bind("max", maxAttempts)
            .bind("now", at(now))
            .setMaxRows(limit)
            .map(
                (rs, ctx) ->
                    new Notification(
                        rs.getLong("id"),
                        rs.getString("service"),
                        rs.getString("type"),
                        rs.getString("payload"),
                        rs.getInt("attempts")))
            .list();
    List<Notification> claimed = new ArrayList<>();
    for (Notification n : candidates) {
      int won =
          h.createUpdate(
                  "UPDATE notifications SET claimed_until = :until WHERE id = :id"
                      + " AND delivered_at IS NULL"
                      + " AND (claimed_until IS NULL OR claimed_until < :now)")
              .bind("until", at(now.plus(lease)))
              .bind("id", n.id())
              .bind("now", at(now))
              .execute();
      if (won == 1) {
        claimed.add(n);
      }
    }
    return claimed;
  }

  void delivered(Handle h, long id) {
    h.createUpdate(
            "UPDATE notifications SET delivered_at = :now, attempts = attempts + 1,"
                + " last_error = NULL WHERE id = :id")
        .bind("now", at(time.now()))
        .bind("id", id)
        .execute();
  }

  /** See {@link Ledger#notificationFailed}. */
  void failed(Handle h, long id, String error, Duration retryAfter) {
    h.createUpdate(
            "UPDATE notifications SET attempts = attempts + 1, last_error = :error,"
                + " claimed_until = :until WHERE id = :id")
        .bind("error", error.length() > 1000 ? error.substring(0, 1000) : error)
        .bind("until", at(time.now().plus(retryAfter)))
        .bind("id", id)
        .execute();
  }

  int undelivered(Handle h) {
    return h.createQuery("SELECT COUNT(*) FROM notifications WHERE delivered_at IS NULL")
        .mapTo(Integer.class)
        .one();
  }

  List<String> types(Handle h, String service) {
    return h.createQuery("SELECT type FROM notifications WHERE service = :service ORDER BY id")
        .bind("service", service)
        .mapTo(String.class)
        .list();
  }
}
