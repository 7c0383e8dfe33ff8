package dev.sluice.ledger;

import static dev.sluice.ledger.Timestamps.at;
import static dev.sluice.ledger.Timestamps.instant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/** The audit trail: who did what to which service or deployment, and when. Append-only. */
final class AuditTrail {

  /** Actor of the audit rows Sluice writes on its own behalf (start failures, reconciliation). */
  static final String SYSTEM_ACTOR = "system";

  private final LedgerJson json;
  private final Timestamps time;

  AuditTrail(LedgerJson json, Timestamps time) {
    this.json = json;
    this.time = time;
  }

  /** Appends one entry; see {@link Ledger#audit}. */
  void append(Handle h, String actor, String action, String subject, Object details) {
    append(h, time.now(), actor, action, subject, details);
  }

  /**
   * Appends one entry dated {@code when}: the time of the change it records, so that the change's
   * own rows (a flag's version row) and its audit row show the same instant.
   */
  void append(Handle h, Instant when, String actor, String action, String subject, Object details) {
    AuditOrigin origin = AuditOrigin.current();
    h.createUpdate(
            "INSERT INTO audit (at, actor, action, subject, details, role, source)"
                + " VALUES (:at, :actor, :action, :subject, :details, :role, :source)")
        .bind("role", origin == null ? null : origin.role())
        .bind("source", origin == null ? null : origin.source())
        .bind("at", at(when))
        .bind("actor", Objects.requireNonNull(actor, "actor"))
        .bind("action", Objects.requireNonNull(action, "action"))
        .bind("subject", subject)
        .bind("details", details == null ? null : json.write(details))
        .execute();
  }

  /**
   * The newest entry of each subject audited with {@code action}; see {@link Ledger#latestAudit}.
   */
  List<AuditEntry> latestPerSubject(Handle h, String action, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    return h.createQuery(
            "SELECT id, at, actor, action, subject, details, role, source FROM audit a"
                + " WHERE action = :action AND subject IS NOT NULL"
                + " AND id = (SELECT MAX(b.id) FROM audit b"
                + " WHERE b.action = :action AND b.subject = a.subject)"
                + " ORDER BY id DESC LIMIT :limit")
        .bind("action", Objects.requireNonNull(action, "action"))
        .bind("limit", limit)
        .map(this::entry)
        .list();
  }

  /** The newest {@code limit} entries, about {@code subject} only unless it is null. */
  List<AuditEntry> trail(Handle h, String subject, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    String sql =
        "SELECT id, at, actor, action, subject, details, role, source FROM audit"
            + (subject == null ? "" : " WHERE subject = :subject")
            + " ORDER BY id DESC LIMIT :limit";
    Query query = h.createQuery(sql).bind("limit", limit);
    if (subject != null) {
      query.bind("subject", subject);
    }
    return query.map(this::entry).list();
  }

  private AuditEntry entry(ResultSet rs, StatementContext ctx) throws SQLException {
    return new AuditEntry(
        rs.getLong("id"),
        instant(rs, "at"),
        rs.getString("actor"),
        rs.getString("action"),
        rs.getString("subject"),
        json.readTree(rs.getString("details")),
        rs.getString("role"),
        rs.getString("source"));
  }
}
