package dev.sluice.ledger;

import static dev.sluice.ledger.Timestamps.at;
import static dev.sluice.ledger.Timestamps.instant;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Feature flags in the ledger's database (schema {@code V3__flags.sql}): the current definition of
 * each flag, every version it ever had (who, when, why, the whole definition) and one revision
 * counter for the whole set. Every change — create, update, delete, restore — is one transaction
 * that writes the flag, its version row, the audit row and the new revision together, so nothing is
 * changed without a record and no SDK misses a change.
 *
 * <p>Definitions are stored as given (JSON text of the flag's object in flagd's format); checking
 * them is the caller's job, before calling.
 *
 * <p>A change that loses a race inside the database is retried as the ledger's transactions are
 * ({@link Transactions}); a change based on a version the flag has moved on from is answered {@link
 * Outcome.Conflict}, which is a result and never retried.
 */
public final class FlagStore {

  /** Types of flag and their expected lifetime in days (null: none), as Unleash has them. */
  public static final Map<String, Integer> LIFETIMES =
      Map.of(
          "release", 40,
          "experiment", 40,
          "ops", 7,
          "kill-switch", -1,
          "permission", -1);

  /** A flag as it is now. */
  public record Flag(
      String key,
      int version,
      String definition,
      String type,
      String owner,
      Integer lifetimeDays,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy) {}

  /** One version of a flag; {@code definition} is null for a deletion. */
  public record Version(
      String key,
      int version,
      String action,
      String definition,
      String type,
      String owner,
      Integer lifetimeDays,
      String actor,
      String reason,
      Instant at) {}

  /** What a flag is besides its definition: its type, owner and expected lifetime. */
  public record Meta(String type, String owner, Integer lifetimeDays) {

    /** The type's default lifetime when none is given; none for kill switches and permissions. */
    public Meta withDefaults() {
      Integer lifetime = lifetimeDays;
      if (lifetime == null) {
        Integer byType = LIFETIMES.get(type);
        lifetime = byType == null || byType < 0 ? null : byType;
      }
      return new Meta(type, owner, lifetime);
    }
  }

  /** All current definitions and the revision they are at. */
  public record Snapshot(long revision, List<Flag> flags) {}

  /** How a change went. */
  public sealed interface Outcome {
    /** Done: the flag as it is now. */
    record Changed(Flag flag) implements Outcome {}

    /** No such flag (or it is deleted). */
    record NotFound(String key) implements Outcome {}

    /** The flag exists already (create). */
    record Exists(Flag flag) implements Outcome {}

    /** The flag moved on since the version the change was based on. */
    record Conflict(Flag current) implements Outcome {}
  }

  private final Jdbi jdbi;
  private final Transactions transactions;
  private final Timestamps time;
  private final AuditTrail audit;

  /**
   * Flags on {@code jdbi}, audited with JSON through a copy of {@code json} set up as the ledger's
   * ({@link Ledger#Ledger(Jdbi, ObjectMapper)}), dated by {@code clock}.
   */
  public FlagStore(Jdbi jdbi, ObjectMapper json, Clock clock) {
    this(jdbi, new Timestamps(Objects.requireNonNull(clock, "clock")), json);
  }

  private FlagStore(Jdbi jdbi, Timestamps time, ObjectMapper json) {
    this(
        jdbi,
        new Transactions(jdbi),
        time,
        new AuditTrail(new LedgerJson(Objects.requireNonNull(json, "json")), time));
  }

  /** Flags sharing a ledger's transactions, clock and audit trail ({@link Ledger#flagStore}). */
  FlagStore(Jdbi jdbi, Transactions transactions, Timestamps time, AuditTrail audit) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.transactions = transactions;
    this.time = time;
    this.audit = audit;
  }

  /** Creates a flag at version 1; a deleted flag's key is taken again as its next version. */
  public Outcome create(String key, String definition, Meta meta, String actor, String reason) {
    try {
      return createOnce(key, definition, meta, actor, reason);
    } catch (JdbiException e) {
      if (!Transactions.uniqueViolation(e)) {
        throw e;
      }
      // Another create of the same key won the race, and kept winning while this one was retried
      // (a retry that sees the winner answers Exists itself): it exists now.
      return get(key).<Outcome>map(Outcome.Exists::new).orElseThrow(() -> e);
    }
  }

  private Outcome createOnce(
      String key, String definition, Meta meta, String actor, String reason) {
    Meta m = meta.withDefaults();
    return transactions.inTransaction(
        h -> {
          Optional<Row> existing = row(h, key, true);
          Instant now = time.now();
          if (existing.isPresent() && existing.get().deletedAt() == null) {
            return new Outcome.Exists(existing.get().flag());
          }
          int version;
          if (existing.isPresent()) {
            version = existing.get().flag().version() + 1;
            h.createUpdate(
                    "UPDATE flags SET version = :version, definition = :definition, flag_type ="
                        + " :type, owner = :owner, lifetime_days = :lifetime, created_at = :now,"
                        + " created_by = :actor, updated_at = :now, updated_by = :actor,"
                        + " deleted_at = NULL WHERE flag_key = :key")
                .bind("version", version)
                .bind("definition", definition)
                .bind("type", m.type())
                .bind("owner", m.owner())
                .bind("lifetime", m.lifetimeDays())
                .bind("now", at(now))
                .bind("actor", actor)
                .bind("key", key)
                .execute();
          } else {
            version = 1;
            h.createUpdate(
                    "INSERT INTO flags (flag_key, version, definition, flag_type, owner,"
                        + " lifetime_days, created_at, created_by, updated_at, updated_by) VALUES"
                        + " (:key, 1, :definition, :type, :owner, :lifetime, :now, :actor, :now,"
                        + " :actor)")
                .bind("key", key)
                .bind("definition", definition)
                .bind("type", m.type())
                .bind("owner", m.owner())
                .bind("lifetime", m.lifetimeDays())
                .bind("now", at(now))
                .bind("actor", actor)
                .execute();
          }
          record(h, key, version, "create", definition, m, actor, reason, now);
          return new Outcome.Changed(row(h, key, false).orElseThrow().flag());
        });
  }

  /**
   * Replaces a flag's definition (and metadata, when given), if it is still at {@code
   * expectedVersion} (null: whatever version it is at). {@code action} names the change for the
   * history: {@code update}, {@code disable}, {@code enable}, {@code rollout}, {@code rule}...
   */
  public Outcome update(
      String key,
      Integer expectedVersion,
      String definition,
      Meta meta,
      String action,
      String actor,
      String reason) {
    return transactions.inTransaction(
        h -> {
          Optional<Row> existing = row(h, key, false);
          if (existing.isEmpty()) {
            return new Outcome.NotFound(key);
          }
          Flag current = existing.get().flag();
          if (expectedVersion != null && expectedVersion != current.version()) {
            return new Outcome.Conflict(current);
          }
          Meta m =
              meta == null
                  ? new Meta(current.type(), current.owner(), current.lifetimeDays())
                  : meta.withDefaults();
          Instant now = time.now();
          int version = current.version() + 1;
          int updated =
              h.createUpdate(
                      "UPDATE flags SET version = :version, definition = :definition, flag_type ="
                          + " :type, owner = :owner, lifetime_days = :lifetime, updated_at = :now,"
                          + " updated_by = :actor WHERE flag_key = :key AND version = :was")
                  .bind("version", version)
                  .bind("definition", definition)
                  .bind("type", m.type())
                  .bind("owner", m.owner())
                  .bind("lifetime", m.lifetimeDays())
                  .bind("now", at(now))
                  .bind("actor", actor)
                  .bind("key", key)
                  .bind("was", current.version())
                  .execute();
          if (updated == 0) {
            return new Outcome.Conflict(row(h, key, true).orElseThrow().flag());
          }
          record(h, key, version, action, definition, m, actor, reason, now);
          return new Outcome.Changed(row(h, key, false).orElseThrow().flag());
        });
  }

  /** Deletes a flag (kept in history; {@link #restore} brings it back). */
  public Outcome delete(String key, Integer expectedVersion, String actor, String reason) {
    return transactions.inTransaction(
        h -> {
          Optional<Row> existing = row(h, key, false);
          if (existing.isEmpty()) {
            return new Outcome.NotFound(key);
          }
          Flag current = existing.get().flag();
          if (expectedVersion != null && expectedVersion != current.version()) {
            return new Outcome.Conflict(current);
          }
          Instant now = time.now();
          int version = current.version() + 1;
          int changed =
              h.createUpdate(
                      "UPDATE flags SET version = :version, deleted_at = :now, updated_at = :now,"
                          + " updated_by = :actor WHERE flag_key = :key AND version = :was")
                  .bind("version", version)
                  .bind("now", at(now))
                  .bind("actor", actor)
                  .bind("key", key)
                  .bind("was", current.version())
                  .execute();
          if (changed == 0) {
            return new Outcome.Conflict(row(h, key, true).orElseThrow().flag());
          }
          Meta m = new Meta(current.type(), current.owner(), current.lifetimeDays());
          record(h, key, version, "delete", null, m, actor, reason, now);
          return new Outcome.Changed(row(h, key, true).orElseThrow().flag());
        });
  }

  /**
   * Makes version {@code version}'s definition and metadata current again, as a new version
   * (history is never rewritten); works on a deleted flag too.
   */
  public Outcome restore(String key, int version, String actor, String reason) {
    return transactions.inTransaction(
        h -> {
          Optional<Version> old = version(h, key, version);
          Optional<Row> existing = row(h, key, true);
          if (old.isEmpty() || old.get().definition() == null || existing.isEmpty()) {
            return new Outcome.NotFound(key + " version " + version);
          }
          Version v = old.get();
          Instant now = time.now();
          int was = existing.get().flag().version();
          int next = was + 1;
          int changed =
              h.createUpdate(
                      "UPDATE flags SET version = :version, definition = :definition, flag_type ="
                          + " :type, owner = :owner, lifetime_days = :lifetime, updated_at = :now,"
                          + " updated_by = :actor, deleted_at = NULL WHERE flag_key = :key"
                          + " AND version = :was")
                  .bind("was", was)
                  .bind("version", next)
                  .bind("definition", v.definition())
                  .bind("type", v.type())
                  .bind("owner", v.owner())
                  .bind("lifetime", v.lifetimeDays())
                  .bind("now", at(now))
                  .bind("actor", actor)
                  .bind("key", key)
                  .execute();
          if (changed == 0) {
            return new Outcome.Conflict(row(h, key, true).orElseThrow().flag());
          }
          record(
              h,
              key,
              next,
              "restore",
              v.definition(),
              new Meta(v.type(), v.owner(), v.lifetimeDays()),
              actor,
              reason == null ? "restored version " + version : reason,
              now);
          return new Outcome.Changed(row(h, key, false).orElseThrow().flag());
        });
  }

  /** The flag as it is now; empty when unknown or deleted. */
  public Optional<Flag> get(String key) {
    return jdbi.withHandle(h -> row(h, key, false).map(Row::flag));
  }

  /** Every live flag, by key. */
  public List<Flag> list() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM flags WHERE deleted_at IS NULL ORDER BY flag_key")
                .map((rs, ctx) -> readRow(rs).flag())
                .list());
  }

  /** Every version of a flag, newest first. */
  public List<Version> versions(String key) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM flag_versions WHERE flag_key = :key ORDER BY version DESC")
                .bind("key", key)
                .map((rs, ctx) -> readVersion(rs))
                .list());
  }

  /** The revision of the whole flag set: raised by every change. */
  public long revision() {
    return jdbi.withHandle(FlagStore::revision);
  }

  /** Every live flag with the revision they are at, read consistently. */
  public Snapshot snapshot() {
    return jdbi.inTransaction(
        h ->
            new Snapshot(
                revision(h),
                h.createQuery("SELECT * FROM flags WHERE deleted_at IS NULL ORDER BY flag_key")
                    .map((rs, ctx) -> readRow(rs).flag())
                    .list()));
  }

  // --- internals --------------------------------------------------------------------------------

  private record Row(Flag flag, Instant deletedAt) {}

  private static long revision(Handle h) {
    return h.createQuery("SELECT revision FROM flag_revision WHERE id = 1").mapTo(Long.class).one();
  }

  private void record(
      Handle h,
      String key,
      int version,
      String action,
      String definition,
      Meta meta,
      String actor,
      String reason,
      Instant now) {
    h.createUpdate(
            "INSERT INTO flag_versions (flag_key, version, action, definition, flag_type, owner,"
                + " lifetime_days, actor, reason, at) VALUES (:key, :version, :action,"
                + " :definition, :type, :owner, :lifetime, :actor, :reason, :at)")
        .bind("key", key)
        .bind("version", version)
        .bind("action", action)
        .bind("definition", definition)
        .bind("type", meta.type())
        .bind("owner", meta.owner())
        .bind("lifetime", meta.lifetimeDays())
        .bind("actor", Objects.requireNonNull(actor, "actor"))
        .bind(
            "reason",
            reason == null || reason.length() <= 1000 ? reason : reason.substring(0, 999) + "…")
        .bind("at", at(now))
        .execute();
    h.createUpdate("UPDATE flag_revision SET revision = revision + 1 WHERE id = 1").execute();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("version", version);
    if (reason != null) {
      details.put("reason", reason);
    }
    audit.append(h, now, actor, "flag." + action, key, details);
  }

  private static Optional<Row> row(Handle h, String key, boolean includeDeleted) {
    return h.createQuery(
            "SELECT * FROM flags WHERE flag_key = :key"
                + (includeDeleted ? "" : " AND deleted_at IS NULL"))
        .bind("key", key)
        .map((rs, ctx) -> readRow(rs))
        .findOne();
  }

  private static Optional<Version> version(Handle h, String key, int version) {
    return h.createQuery("SELECT * FROM flag_versions WHERE flag_key = :key AND version = :v")
        .bind("key", key)
        .bind("v", version)
        .map((rs, ctx) -> readVersion(rs))
        .findOne();
  }

  private static Row readRow(ResultSet rs) throws SQLException {
    return new Row(
        new Flag(
            rs.getString("flag_key"),
            rs.getInt("version"),
            rs.getString("definition"),
            rs.getString("flag_type"),
            rs.getString("owner"),
            (Integer) rs.getObject("lifetime_days"),
            instant(rs.getObject("created_at")),
            rs.getString("created_by"),
            instant(rs.getObject("updated_at")),
            rs.getString("updated_by")),
        instant(rs.getObject("deleted_at")));
  }

  private static Version readVersion(ResultSet rs) throws SQLException {
    return new Version(
        rs.getString("flag_key"),
        rs.getInt("version"),
        rs.getString("action"),
        rs.getString("definition"),
        rs.getString("flag_type"),
        rs.getString("owner"),
        (Integer) rs.getObject("lifetime_days"),
        rs.getString("actor"),
        rs.getString("reason"),
        instant(rs.getObject("at")));
  }
}
