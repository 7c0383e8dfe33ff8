package dev.sluice.activities.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sluice.activities.flags.FlagStore;
import dev.sluice.activities.ledger.BeginResult.Busy;
import dev.sluice.activities.ledger.BeginResult.Created;
import dev.sluice.activities.ledger.BeginResult.Existing;
import dev.sluice.activities.ledger.BeginResult.KeyReused;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.model.Waiting;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice's durable record, readable without Temporal: service definitions, deployments and their
 * events, each service's version history, what each target runs, and the audit trail. The API and
 * the ledger activity both write through this class.
 *
 * <p>Runs on H2 (the embedded default, see {@link #h2FileUrl}) and PostgreSQL with the same SQL.
 * Every write is one transaction; a transaction that loses a race (unique violation, lock timeout,
 * deadlock) is retried from the start, so callers see either its effect or the winner's. Timestamps
 * come from the injected {@link Clock}, truncated to microseconds (the precision both databases
 * store).
 *
 * <p>Secrets never reach the ledger: service definitions and workflow inputs hold only references
 * to them.
 *
 * <p>Thread-safe.
 */
public final class Ledger {

  /** Actor of the audit rows Sluice writes on its own behalf (start failures, reconciliation). */
  public static final String SYSTEM_ACTOR = "system";

  /** Where the ledger's Flyway migrations live. */
  public static final String MIGRATIONS = "classpath:db/ledger";

  /**
   * Flyway's history table for the ledger. Not Flyway's default, so other schemas migrated into the
   * same database (flags, data migrations) keep their own history.
   */
  public static final String SCHEMA_HISTORY_TABLE = "ledger_schema_history";

  private static final Logger log = LoggerFactory.getLogger(Ledger.class);

  /** Tries of a transaction that keeps losing races; a handful is plenty for a few writers. */
  private static final int ATTEMPTS = 5;

  private static final TypeReference<List<TargetStatus>> TARGETS = new TypeReference<>() {};

  private static final String DEPLOYMENT_COLUMNS =
      "id, service, version, strategy, state, phase, batch, batches, reason, previous_version,"
          + " current_version, requested_by, idempotency_key, request_fingerprint, request,"
          + " targets, created_at, updated_at, finished_at, release_id, waiting, traffic_weight";

  private static final String HISTORY_COLUMNS =
      "service, deployment_id, version, previous_version, outcome, started_at, finished_at,"
          + " current_version";

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final Clock clock;
  private final CircuitPolicy circuitPolicy;

  /** A ledger on {@code jdbi} with Sluice's JSON settings and the system UTC clock. */
  /** The feature flags kept in this ledger's database. */
  public FlagStore flagStore() {
    return new FlagStore(jdbi, json, clock);
  }

  public Ledger(Jdbi jdbi) {
    this(jdbi, objectMapper(), Clock.systemUTC());
  }

  /**
   * A ledger on {@code jdbi} using a copy of {@code mapper} (for instance the API's, with its
   * modules) with the settings the stored format needs applied on top. Every process sharing the
   * database must write the same JSON shape, so the mapper must not rename properties (no naming
   * strategy or mix-ins on the model).
   */
  public Ledger(Jdbi jdbi, ObjectMapper mapper) {
    this(jdbi, mapper, Clock.systemUTC());
  }

  /** A ledger whose timestamps come from {@code clock}; tests pass a controllable one. */
  public Ledger(Jdbi jdbi, ObjectMapper mapper, Clock clock) {
    this(jdbi, mapper, clock, CircuitPolicy.DEFAULT);
  }

  /** A ledger whose circuit breaker follows {@code policy}. */
  public Ledger(Jdbi jdbi, ObjectMapper mapper, Clock clock, CircuitPolicy policy) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.json = configure(Objects.requireNonNull(mapper, "mapper").copy());
    this.clock = Objects.requireNonNull(clock, "clock");
    this.circuitPolicy = Objects.requireNonNull(policy, "policy");
  }

  /**
   * An ObjectMapper that writes what the ledger stores: records, {@code java.time} values as
   * ISO-8601 strings ({@code Duration} as {@code PT10S}), {@code IntOrPercent} as {@code 2} or
   * {@code "25%"}, and that ignores unknown properties so rows written by a newer Sluice still
   * read.
   */
  public static ObjectMapper objectMapper() {
    return configure(new ObjectMapper());
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    return mapper
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /**
   * Brings the ledger schema in {@code dataSource} up to date. Safe to call from several processes
   * at start: Flyway serialises them.
   *
   * @return the number of migrations applied; 0 when already up to date
   */
  public static int migrate(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations(MIGRATIONS)
        .table(SCHEMA_HISTORY_TABLE)
        // The database may already hold other tables (flags, the API's own); baselining at 0
        // lets the ledger's V1 still run there instead of Flyway refusing a non-empty schema.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate()
        .migrationsExecuted;
  }

  /**
   * The JDBC URL of the embedded default: an H2 file database at {@code file} (H2 adds {@code
   * .mv.db}), e.g. {@code .sluice/ledger}.
   *
   * <p>{@code AUTO_SERVER=TRUE} lets a second process (the API and a standalone worker) open the
   * same file: the first opener serves it over TCP to local connections only and the others connect
   * through that, taking over when it exits. {@code LOCK_TIMEOUT=10000} lets a writer wait up to 10
   * s for another's row lock instead of H2's default of 2 s. Use it through a connection pool,
   * which keeps the database open between calls. Tests use the same URL on a temporary directory.
   *
   * @param file the database file without extension; made absolute, since H2 rejects implicitly
   *     relative paths
   * @return e.g. {@code jdbc:h2:file:/srv/.sluice/ledger;AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000}
   */
  public static String h2FileUrl(Path file) {
    return "jdbc:h2:file:" + file.toAbsolutePath() + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000";
  }

  // --- services ---------------------------------------------------------------------------------

  /**
   * Stores {@code definition} under its name, replacing any previous definition, and audits it as
   * {@code service.put} by {@code actor}.
   *
   * @return true when the service is new, false when an existing definition was replaced
   */
  public boolean putService(ServiceDefinition definition, String actor) {
    Objects.requireNonNull(definition.name(), "service name");
    Objects.requireNonNull(actor, "actor");
    String text = write(definition);
    return inTransaction(
        h -> {
          Instant now = now();
          int updated =
              h.createUpdate(
                      "UPDATE services SET definition = :definition, updated_at = :now,"
                          + " updated_by = :actor WHERE name = :name")
                  .bind("definition", text)
                  .bind("now", at(now))
                  .bind("actor", actor)
                  .bind("name", definition.name())
                  .execute();
          boolean created = updated == 0;
          if (created) {
            h.createUpdate(
                    "INSERT INTO services (name, definition, created_at, updated_at, updated_by)"
                        + " VALUES (:name, :definition, :now, :now, :actor)")
                .bind("name", definition.name())
                .bind("definition", text)
                .bind("now", at(now))
                .bind("actor", actor)
                .execute();
          }
          audit(
              h,
              actor,
              "service.put",
              definition.name(),
              Map.of("created", created, "definition", definition));
          return created;
        });
  }

  /** The service named {@code name}, if stored. */
  public Optional<ServiceDefinition> service(String name) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT definition FROM services WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> read(rs.getString(1), ServiceDefinition.class))
                .findOne());
  }

  /** Every stored service, by name. */
  public List<ServiceDefinition> services() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT definition FROM services ORDER BY name")
                .map((rs, ctx) -> read(rs.getString(1), ServiceDefinition.class))
                .list());
  }

  // --- starting a deployment --------------------------------------------------------------------

  /**
   * Records a new deployment as PENDING and takes its service's lock, both in one transaction,
   * unless the idempotency key was seen before or the service is busy; audited as {@code
   * deployment.begin} by the requester. Of concurrent begins for one service exactly one is {@link
   * Created}; the others see {@link Busy} (or {@link Existing} when they share its key).
   *
   * <p>The key is checked before the lock, so a client retrying a request whose deployment is still
   * running gets that deployment back rather than a conflict.
   */
  public BeginResult begin(NewDeployment deployment) {
    return inTransaction(
        h -> {
          // The lock first, then the key: the lock and the deployment row commit together, so
          // once a concurrent winner's lock is visible its keyed row is too, and a retry with
          // the same key is answered Existing rather than Busy.
          Optional<String> holder = lockHolder(h, deployment.service());
          if (deployment.idempotencyKey() != null) {
            Optional<DeploymentRecord> seen =
                h.createQuery(
                        "SELECT "
                            + DEPLOYMENT_COLUMNS
                            + " FROM deployments WHERE idempotency_key = :key")
                    .bind("key", deployment.idempotencyKey())
                    .map((rs, ctx) -> deploymentRow(rs))
                    .findOne();
            if (seen.isPresent()) {
              return Objects.equals(
                      seen.get().requestFingerprint(), deployment.requestFingerprint())
                  ? new Existing(seen.get())
                  : new KeyReused(seen.get());
            }
          }
          if (holder.isPresent()) {
            return new Busy(holder.get());
          }
          Instant now = now();
          h.createUpdate(
                  "INSERT INTO deployments (id, service, version, strategy, state, phase, batch,"
                      + " batches, previous_version, requested_by, idempotency_key,"
                      + " request_fingerprint, request, targets, created_at, updated_at,"
                      + " release_id)"
                      + " VALUES (:id, :service, :version, :strategy, :state, :phase, 0, 0,"
                      + " :previous, :requestedBy, :key, :fingerprint, :request, :targets, :now,"
                      + " :now, :release)")
              .bind("id", deployment.id())
              .bind("service", deployment.service())
              .bind("version", deployment.version())
              .bind("strategy", deployment.strategy())
              .bind("state", DeploymentState.PENDING.name())
              .bind("phase", Phase.PREPARING.name())
              .bind("previous", deployment.previousVersion())
              .bind("requestedBy", deployment.requestedBy())
              .bind("key", deployment.idempotencyKey())
              .bind("fingerprint", deployment.requestFingerprint())
              .bind("request", write(deployment.request()))
              .bind("targets", write(initialTargets(h, deployment)))
              .bind("now", at(now))
              .bind("release", deployment.releaseId())
              .execute();
          // After the deployment row: the lock references it. A concurrent begin blocks here on
          // the primary key until this transaction ends, then fails and is retried as Busy.
          h.createUpdate(
                  "INSERT INTO service_locks (service, deployment_id, acquired_at)"
                      + " VALUES (:service, :id, :now)")
              .bind("service", deployment.service())
              .bind("id", deployment.id())
              .bind("now", at(now))
              .execute();
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("service", deployment.service());
          details.put("version", deployment.version());
          details.put("strategy", deployment.strategy());
          details.put("previousVersion", deployment.previousVersion());
          details.put("idempotencyKey", deployment.idempotencyKey());
          if (deployment.releaseId() != null) {
            details.put("release", deployment.releaseId());
          }
          audit(h, deployment.requestedBy(), "deployment.begin", deployment.id(), details);
          return new Created(deployment(h, deployment.id()).orElseThrow());
        });
  }

  /**
   * Marks a PENDING deployment whose workflow could not be started as FAILED with {@code reason}
   * and releases its service's lock; audited as {@code deployment.start-failed} by {@link
   * #SYSTEM_ACTOR}. Writes no version history: nothing ran, so no version changed.
   *
   * @return true when the deployment was PENDING and is now FAILED; false when it is unknown or
   *     already past PENDING (its workflow did start after all), in which case nothing changes
   */
  public boolean startFailed(String deploymentId, String reason) {
    return closeUnstarted(deploymentId, DeploymentState.FAILED, "deployment.start-failed", reason);
  }

  /**
   * Marks a PENDING deployment that will never run — its release ended before reaching it — as
   * ABORTED with {@code reason} and releases its service's lock; audited as {@code
   * deployment.abandoned} by {@link #SYSTEM_ACTOR}. Writes no version history.
   *
   * @return true when the deployment was PENDING and is now ABORTED; false otherwise (nothing
   *     changes)
   */
  public boolean abandon(String deploymentId, String reason) {
    return closeUnstarted(deploymentId, DeploymentState.ABORTED, "deployment.abandoned", reason);
  }

  private boolean closeUnstarted(
      String deploymentId, DeploymentState state, String action, String reason) {
    return inTransaction(
        h -> {
          Instant now = now();
          int updated =
              h.createUpdate(
                      "UPDATE deployments SET state = :failed, phase = :completed,"
                          + " reason = :reason, updated_at = :now, finished_at = :now,"
                          // A deployment that never started does not keep its key: the
                          // client's retry with the same key must be able to start one.
                          + " idempotency_key = NULL"
                          + " WHERE id = :id AND state = :pending")
                  .bind("failed", state.name())
                  .bind("completed", Phase.COMPLETED.name())
                  .bind("reason", reason)
                  .bind("now", at(now))
                  .bind("id", deploymentId)
                  .bind("pending", DeploymentState.PENDING.name())
                  .execute();
          if (updated == 0) {
            return false;
          }
          h.createUpdate("DELETE FROM service_locks WHERE deployment_id = :id")
              .bind("id", deploymentId)
              .execute();
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("reason", reason);
          audit(h, SYSTEM_ACTOR, action, deploymentId, details);
          return true;
        });
  }

  // --- progress ---------------------------------------------------------------------------------

  /**
   * Records a deployment's progress, as the workflow's ledger activity reports it: state, phase,
   * batch, reason and targets; the events not stored yet; what each target now runs. When the state
   * is final, also its finish time and current version, one version-history row, and the release of
   * the service's lock (if this deployment holds it).
   *
   * <p>Idempotent: events already stored (same deployment and sequence number) are skipped, the
   * history row is written once, and the finish time of the first final record is kept.
   *
   * <p>Two guards keep a late write from undoing a newer one. A non-final record never reopens a
   * finished deployment. And a non-final record whose events are all older than the newest stored
   * event only adds its events: parallel target steps in a workflow may record concurrently, and
   * their activities may land out of order.
   *
   * <p>A deployment the ledger has not seen (its workflow was started without the API) is created
   * from the entry; it holds no lock.
   */
  public void record(LedgerEntry entry) {
    Objects.requireNonNull(entry.deploymentId(), "deploymentId");
    Objects.requireNonNull(entry.state(), "state");
    inTransaction(
        h -> {
          recordIn(h, entry);
          return null;
        });
  }

  private void recordIn(Handle h, LedgerEntry entry) {
    Instant now = now();
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
    targets = merge(storedTargets.map(this::readTargets).orElse(List.of()), targets);
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
          .bind("targets", write(targets))
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
    insertNewEvents(h, id, entry.service(), events);
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
            .bind("targets", write(targets))
            .bind("now", at(now))
            .bind("waiting", done || entry.waiting() == null ? null : write(entry.waiting()))
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
        CircuitState circuit = circuit(h, entry.service());
        if (circuit.open()) {
          notify(
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

  /**
   * Records a child's progress under its parent: targets merged into the parent's (and into the
   * service's per-target versions), events added, the parent shown PAUSED while the child waits for
   * a resume and RUNNING in PROMOTING otherwise. Nothing changes once the parent has finished.
   * Idempotent: events are keyed by their sequence number.
   */
  public void recordChild(ChildEntry entry) {
    inTransaction(
        h -> {
          String id = entry.parentDeploymentId();
          Optional<String> stored =
              h.createQuery(
                      "SELECT COALESCE(targets, '[]') FROM deployments WHERE id = :id"
                          + " AND finished_at IS NULL FOR UPDATE")
                  .bind("id", id)
                  .mapTo(String.class)
                  .findOne();
          if (stored.isEmpty()) {
            return null; // unknown or finished parent: its own final record is the truth
          }
          List<TargetStatus> changed = entry.targets() == null ? List.of() : entry.targets();
          insertNewEvents(
              h, id, entry.service(), entry.events() == null ? List.of() : entry.events());
          Instant now = now();
          h.createUpdate(
                  "UPDATE deployments SET state = :state, phase = :phase, targets = :targets,"
                      + " updated_at = :now WHERE id = :id AND finished_at IS NULL")
              .bind(
                  "state",
                  (entry.paused() ? DeploymentState.PAUSED : DeploymentState.RUNNING).name())
              .bind("phase", (entry.paused() ? Phase.PAUSED : Phase.PROMOTING).name())
              .bind("targets", write(merge(readTargets(stored.get()), changed)))
              .bind("now", at(now))
              .bind("id", id)
              .execute();
          updateTargetVersions(h, entry.service(), id, changed, now);
          return null;
        });
  }

  // --- circuit breaker --------------------------------------------------------------------------

  /**
   * When a service's deployments are refused: after {@code failures} failed or rolled-back
   * deployments in a row (aborts do not count either way), for {@code blockFor} after the last.
   */
  public record CircuitPolicy(int failures, Duration blockFor) {
    public static final CircuitPolicy DEFAULT = new CircuitPolicy(3, Duration.ofHours(1));
  }

  /**
   * A service's circuit breaker, derived from its version history since the last reset: no counter
   * is stored, so it cannot drift from what actually happened.
   *
   * @param blockedUntil when new deployments are allowed again; null when not blocked
   */
  public record CircuitState(
      String service, int consecutiveFailures, int threshold, Instant blockedUntil, boolean open) {}

  public CircuitState circuit(String service) {
    return jdbi.withHandle(h -> circuit(h, service));
  }

  private CircuitState circuit(Handle h, String service) {
    Optional<Instant> reset =
        h.createQuery("SELECT MAX(at) FROM circuit_resets WHERE service = :service")
            .bind("service", service)
            .map((rs, ctx) -> Optional.ofNullable(rs.getObject(1, OffsetDateTime.class)))
            .one()
            .map(OffsetDateTime::toInstant);
    List<Map<String, Object>> outcomes =
        h.createQuery(
                "SELECT outcome, finished_at FROM version_history WHERE service = :service"
                    + " ORDER BY finished_at DESC, id DESC")
            .bind("service", service)
            .mapToMap()
            .list();
    int failures = 0;
    Instant lastFailure = null;
    for (Map<String, Object> row : outcomes) {
      Instant finished = instant(row.get("finished_at"));
      if (reset.isPresent() && finished != null && !finished.isAfter(reset.get())) {
        break;
      }
      String outcome = String.valueOf(row.get("outcome"));
      if (outcome.equals(DeploymentState.ABORTED.name())) {
        continue;
      }
      if (!outcome.equals(DeploymentState.FAILED.name())
          && !outcome.equals(DeploymentState.ROLLED_BACK.name())) {
        break;
      }
      failures++;
      if (lastFailure == null) {
        lastFailure = finished;
      }
    }
    Instant until =
        failures >= circuitPolicy.failures() && lastFailure != null
            ? lastFailure.plus(circuitPolicy.blockFor())
            : null;
    boolean open = until != null && now().isBefore(until);
    return new CircuitState(service, failures, circuitPolicy.failures(), open ? until : null, open);
  }

  private static Instant instant(Object value) {
    if (value instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (value instanceof java.sql.Timestamp ts) {
      return ts.toInstant();
    }
    if (value instanceof Instant i) {
      return i;
    }
    return value == null ? null : OffsetDateTime.parse(value.toString()).toInstant();
  }

  /** Closes the service's circuit: failures before now no longer count. Audited. */
  public void resetCircuit(String service, String actor) {
    inTransaction(
        h -> {
          h.createUpdate(
                  "INSERT INTO circuit_resets (service, at, actor) VALUES (:service, :now, :actor)")
              .bind("service", service)
              .bind("now", at(now()))
              .bind("actor", actor)
              .execute();
          audit(h, actor, "circuit.reset", service, null);
          return null;
        });
  }

  // --- notifications outbox -------------------------------------------------------------------

  /** A notification waiting for delivery. */
  public record Notification(long id, String service, String type, String payload, int attempts) {}

  /**
   * Claims up to {@code limit} undelivered notifications for {@code lease}: another dispatcher
   * skips them meanwhile. Oldest first.
   */
  public List<Notification> claimNotifications(int limit, int maxAttempts, Duration lease) {
    return inTransaction(
        h -> {
          Instant now = now();
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
        });
  }

  public void notificationDelivered(long id) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE notifications SET delivered_at = :now, attempts = attempts + 1,"
                        + " last_error = NULL WHERE id = :id")
                .bind("now", at(now()))
                .bind("id", id)
                .execute());
  }

  /** Records a failed delivery; the notification is tried again after {@code retryAfter}. */
  public void notificationFailed(long id, String error, Duration retryAfter) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = :error,"
                        + " claimed_until = :until WHERE id = :id")
                .bind("error", error.length() > 1000 ? error.substring(0, 1000) : error)
                .bind("until", at(now().plus(retryAfter)))
                .bind("id", id)
                .execute());
  }

  /** Notifications not delivered yet (for tests and operators). */
  public int undeliveredNotifications() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM notifications WHERE delivered_at IS NULL")
                .mapTo(Integer.class)
                .one());
  }

  /** Every notification of a service, oldest first: type and message (for tests). */
  public List<String> notificationTypes(String service) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT type FROM notifications WHERE service = :service ORDER BY id")
                .bind("service", service)
                .mapTo(String.class)
                .list());
  }

  /** Inserts the events whose sequence number is not stored yet; a retry resends some. */
  private void insertNewEvents(
      Handle h, String deploymentId, String service, List<DeploymentEvent> events) {
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
            .bind("at", at(event.at() == null ? now() : event.at()))
            .bind("type", event.type())
            .bind("target", event.target())
            .bind("message", event.message())
            .add();
        if (NOTIFIED.contains(event.type())) {
          notify(h, deploymentId, event.seq(), service, event.type(), event.message());
        }
      }
    }
    if (batch.size() > 0) {
      batch.execute();
    }
  }

  /** Notification type of a circuit breaker opening. */
  public static final String CIRCUIT_OPENED = "circuit.opened";

  /** Event types that go out as notifications (webhooks). */
  public static final Set<String> NOTIFIED =
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

  /** Adds a notification to the outbox; a second one for the same event is ignored. */
  private void notify(
      Handle h, String deploymentId, int seq, String service, String type, String message) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("type", type);
    payload.put("service", service);
    payload.put("deploymentId", deploymentId);
    payload.put("message", message);
    payload.put("at", now().toString());
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
        .bind("payload", write(payload))
        .bind("now", at(now()))
        .execute();
  }

  /** Stores the version of every target whose version is known and differs from the stored one. */
  private void updateTargetVersions(
      Handle h, String service, String deploymentId, List<TargetStatus> targets, Instant now) {
    Map<String, String> stored = targetVersions(h, service);
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

  // --- reads ------------------------------------------------------------------------------------

  /** The deployment with {@code id}, if recorded. */
  public Optional<DeploymentRecord> deployment(String id) {
    return jdbi.withHandle(h -> deployment(h, id));
  }

  private Optional<DeploymentRecord> deployment(Handle h, String id) {
    return h.createQuery("SELECT " + DEPLOYMENT_COLUMNS + " FROM deployments WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> deploymentRow(rs))
        .findOne();
  }

  /**
   * Deployments newest first, at most {@code limit}.
   *
   * @param service only this service's; {@code null} for all
   * @param state only those in this state; {@code null} for any
   */
  public List<DeploymentRecord> deployments(String service, DeploymentState state, int limit) {
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
    return jdbi.withHandle(
        h -> {
          Query query = h.createQuery(sql.toString()).bind("limit", limit);
          if (service != null) {
            query.bind("service", service);
          }
          if (state != null) {
            query.bind("state", state.name());
          }
          return query.map((rs, ctx) -> deploymentRow(rs)).list();
        });
  }

  /**
   * The deployment and its events as one consistent picture, or empty when unknown. A progress
   * record adds events and moves the row in one transaction; reading the two with separate
   * statements could show an event ("paused for a person") beside the state from before it. The
   * events are read first, in one REPEATABLE READ transaction: PostgreSQL answers both from one
   * snapshot, and where a database does not, the row read second is at least as new as the events.
   */
  public Optional<DeploymentWithEvents> deploymentWithEvents(String id) {
    return jdbi.inTransaction(
        TransactionIsolationLevel.REPEATABLE_READ,
        h -> {
          List<DeploymentEvent> events = events(h, id);
          return deployment(h, id).map(d -> new DeploymentWithEvents(d, events));
        });
  }

  /** A deployment with every recorded event of it, in the order {@link #events} gives. */
  public record DeploymentWithEvents(DeploymentRecord deployment, List<DeploymentEvent> events) {}

  /** Every recorded event of the deployment, by sequence number; empty when unknown. */
  public List<DeploymentEvent> events(String deploymentId) {
    return jdbi.withHandle(h -> events(h, deploymentId));
  }

  private List<DeploymentEvent> events(Handle h, String deploymentId) {
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
  public List<VersionHistoryEntry> history(String service) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
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
                .list());
  }

  /**
   * The version the whole service runs, according to its last finished deployment. Empty when no
   * deployment finished yet, or when the last one left the fleet mixed or its versions unknown.
   */
  public Optional<String> currentVersion(String service) {
    List<VersionHistoryEntry> history = history(service);
    return history.isEmpty()
        ? Optional.empty()
        : Optional.ofNullable(history.get(history.size() - 1).currentVersion());
  }

  /**
   * The version that ran before the current one: walking the history back from the last finished
   * deployment, the first version the whole service ran that differs from the current version.
   * After v1, v2 and a rolled-back v3, the current version is v2 and this is v1. Empty when there
   * is no such version.
   */
  public Optional<String> previousVersion(String service) {
    List<VersionHistoryEntry> history = history(service);
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
  public Map<String, String> targetVersions(String service) {
    return jdbi.withHandle(h -> targetVersions(h, service));
  }

  private static Map<String, String> targetVersions(Handle h, String service) {
    Map<String, String> versions = new LinkedHashMap<>();
    h.createQuery(
            "SELECT target_id, version FROM target_versions WHERE service = :service"
                + " ORDER BY target_id")
        .bind("service", service)
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
        .forEach(e -> versions.put(e.getKey(), e.getValue()));
    return versions;
  }

  /** The id of the deployment holding the service's lock, if one does. */
  public Optional<String> lockHolder(String service) {
    return jdbi.withHandle(h -> lockHolder(h, service));
  }

  private static Optional<String> lockHolder(Handle h, String service) {
    return h.createQuery("SELECT deployment_id FROM service_locks WHERE service = :service")
        .bind("service", service)
        .mapTo(String.class)
        .findOne();
  }

  /**
   * The newest deployment of {@code service} that began after {@code deploymentId} (whatever its
   * state), or empty when none did: a retry of {@code deploymentId} would undo it.
   */
  public Optional<String> newerDeployment(String service, String deploymentId) {
    return jdbi.withHandle(h -> newerDeployment(h, service, deploymentId));
  }

  private static Optional<String> newerDeployment(Handle h, String service, String deploymentId) {
    return h.createQuery(
            "SELECT d.id FROM deployments d JOIN deployments mine ON mine.id = :id"
                + " WHERE d.service = :service AND d.id <> mine.id"
                + " AND d.created_at >= mine.created_at"
                + " ORDER BY d.created_at DESC, d.id DESC LIMIT 1")
        .bind("id", deploymentId)
        .bind("service", service)
        .mapTo(String.class)
        .findOne();
  }

  /**
   * Reopens a finished deployment for a retry, in one transaction: takes the service's lock again
   * (unless another deployment holds it), marks the deployment RUNNING and unfinished, and drops
   * its version-history row until the retry ends. Audited as {@code deployment.retry}.
   *
   * <p>A deployment of the service that began after this one (running or ended) also refuses it:
   * the retry would deploy an older version over what that one did.
   *
   * @return empty when reopened (or already open), else the id of the deployment that holds the
   *     lock or began later
   */
  public Optional<String> reopen(String deploymentId, String service, String actor) {
    return inTransaction(
        h -> {
          Optional<String> holder = lockHolder(h, service);
          if (holder.isPresent() && holder.get().equals(deploymentId)) {
            return Optional.<String>empty();
          }
          Optional<String> later = newerDeployment(h, service, deploymentId);
          if (later.isPresent() || holder.isPresent()) {
            return later.or(() -> holder);
          }
          Instant now = now();
          h.createUpdate(
                  "INSERT INTO service_locks (service, deployment_id, acquired_at)"
                      + " VALUES (:service, :id, :now)")
              .bind("service", service)
              .bind("id", deploymentId)
              .bind("now", at(now))
              .execute();
          h.createUpdate(
                  "UPDATE deployments SET state = :running, finished_at = NULL,"
                      + " current_version = NULL, reason = NULL, updated_at = :now WHERE id = :id")
              .bind("running", DeploymentState.RUNNING.name())
              .bind("now", at(now))
              .bind("id", deploymentId)
              .execute();
          h.createUpdate("DELETE FROM version_history WHERE deployment_id = :id")
              .bind("id", deploymentId)
              .execute();
          audit(h, actor == null ? SYSTEM_ACTOR : actor, "deployment.retry", deploymentId, null);
          return Optional.<String>empty();
        });
  }

  /**
   * Releases the service's lock if {@code deploymentId} holds it; for reconciliation, when Temporal
   * says the holder's workflow is gone. Audited as {@code lock.released} by {@link #SYSTEM_ACTOR}.
   * The deployment's own row is left as it is.
   *
   * @return true when the lock was released; false when that deployment did not hold it
   */
  public boolean releaseLock(String service, String deploymentId) {
    return inTransaction(
        h -> {
          int deleted =
              h.createUpdate(
                      "DELETE FROM service_locks WHERE service = :service AND deployment_id = :id")
                  .bind("service", service)
                  .bind("id", deploymentId)
                  .execute();
          if (deleted > 0) {
            audit(h, SYSTEM_ACTOR, "lock.released", service, Map.of("deploymentId", deploymentId));
          }
          return deleted > 0;
        });
  }

  // --- audit ------------------------------------------------------------------------------------

  /**
   * Appends to the audit trail.
   *
   * @param actor user or CI token name, or {@link #SYSTEM_ACTOR}
   * @param action what was done, e.g. {@code deployment.abort}
   * @param subject what it was done to (service name or deployment id); may be {@code null}
   * @param details any JSON-serialisable facts; may be {@code null}. Never put secrets here.
   */
  public void audit(String actor, String action, String subject, Object details) {
    inTransaction(
        h -> {
          audit(h, actor, action, subject, details);
          return null;
        });
  }

  private void audit(Handle h, String actor, String action, String subject, Object details) {
    h.createUpdate(
            "INSERT INTO audit (at, actor, action, subject, details)"
                + " VALUES (:at, :actor, :action, :subject, :details)")
        .bind("at", at(now()))
        .bind("actor", Objects.requireNonNull(actor, "actor"))
        .bind("action", Objects.requireNonNull(action, "action"))
        .bind("subject", subject)
        .bind("details", details == null ? null : write(details))
        .execute();
  }

  /**
   * The audit trail, newest first, at most {@code limit} entries.
   *
   * @param subject only entries about this service or deployment; {@code null} for all
   */
  public List<AuditEntry> auditTrail(String subject, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    String sql =
        "SELECT id, at, actor, action, subject, details FROM audit"
            + (subject == null ? "" : " WHERE subject = :subject")
            + " ORDER BY id DESC LIMIT :limit";
    return jdbi.withHandle(
        h -> {
          Query query = h.createQuery(sql).bind("limit", limit);
          if (subject != null) {
            query.bind("subject", subject);
          }
          return query
              .map(
                  (rs, ctx) ->
                      new AuditEntry(
                          rs.getLong("id"),
                          instant(rs, "at"),
                          rs.getString("actor"),
                          rs.getString("action"),
                          rs.getString("subject"),
                          readTree(rs.getString("details"))))
              .list();
        });
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Targets of a new deployment: its fleet, PENDING, with the versions the ledger knows. */
  private static List<TargetStatus> initialTargets(Handle h, NewDeployment deployment) {
    Map<String, String> known = targetVersions(h, deployment.service());
    List<TargetStatus> targets = new ArrayList<>();
    for (Target target : deployment.request().service().fleet()) {
      String version = known.get(target.id());
      targets.add(new TargetStatus(target.id(), version, version, TargetState.PENDING, null));
    }
    return targets;
  }

  private DeploymentRecord deploymentRow(ResultSet rs) throws SQLException {
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
        request == null ? null : read(request, DeploymentRequest.class),
        readTargets(rs.getString("targets")),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        instant(rs, "finished_at"),
        rs.getString("release_id"),
        rs.getString("waiting") == null ? null : read(rs.getString("waiting"), Waiting.class),
        rs.getObject("traffic_weight", Integer.class));
  }

  /**
   * Runs {@code work} in a transaction, again from the start when it lost a race to a concurrent
   * writer: the retry then sees the winner's committed rows and decides accordingly.
   */
  private <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(work);
      } catch (JdbiException e) {
        if (attempt >= ATTEMPTS || !lostRace(e)) {
          throw e;
        }
        log.debug(
            "ledger transaction lost a race (attempt {}), retrying: {}", attempt, e.toString());
      }
    }
  }

  /** Unique violation, deadlock, serialization failure or lock timeout, on H2 or PostgreSQL. */
  private static boolean lostRace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        switch (sql.getSQLState()) {
          case "23505": // unique violation (both)
          case "40001": // serialization failure (PostgreSQL), deadlock (H2)
          case "40P01": // deadlock (PostgreSQL)
          case "HYT00": // lock timeout (H2)
          case "90131": // concurrent update (H2)
            return true;
          default:
            break;
        }
      }
    }
    return false;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Binds an instant as a UTC TIMESTAMP WITH TIME ZONE, independent of the JVM's time zone. */
  private static Argument at(Instant instant) {
    OffsetDateTime value = instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    return (position, statement, ctx) -> statement.setObject(position, value);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot store as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private <T> T read(String text, Class<T> type) {
    try {
      return json.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "ledger holds unreadable " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
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

  private List<TargetStatus> readTargets(String text) {
    try {
      return text == null ? List.of() : json.readValue(text, TARGETS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "ledger holds unreadable targets: " + e.getOriginalMessage(), e);
    }
  }

  private JsonNode readTree(String text) {
    try {
      return text == null ? null : json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "ledger holds unreadable audit details: " + e.getOriginalMessage(), e);
    }
  }
}
