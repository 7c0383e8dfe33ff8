package dev.sluice.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ledger.BeginResult.Busy;
import dev.sluice.ledger.BeginResult.Created;
import dev.sluice.ledger.BeginResult.Existing;
import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.DeploymentEvent;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.workflows.activities.LedgerActivities.ChildEntry;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

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
 * <p>A façade: it opens the transaction (or handle) and hands it to the package's class for the
 * aggregate concerned ({@code ServiceStore}, {@code DeploymentStarts}, {@code ProgressRecords},
 * {@code CircuitBreaker}, {@code NotificationOutbox}, {@code DeploymentReads}, {@code AuditTrail},
 * {@code AnalysisPoints}, {@code LedgerTallies}), which works on that handle; so a write touching
 * several of them (a final record releases the lock, may open the circuit and adds notifications)
 * stays one transaction.
 *
 * <p>Secrets never reach the ledger: service definitions and workflow inputs hold only references
 * to them.
 *
 * <p>Thread-safe.
 */
public final class Ledger {

  /** Actor of the audit rows Sluice writes on its own behalf (start failures, reconciliation). */
  public static final String SYSTEM_ACTOR = AuditTrail.SYSTEM_ACTOR;

  /** Where the ledger's Flyway migrations live. */
  public static final String MIGRATIONS = LedgerSchema.MIGRATIONS;

  /**
   * Flyway's history table for the ledger. Not Flyway's default, so other schemas migrated into the
   * same database (flags, data migrations) keep their own history.
   */
  public static final String SCHEMA_HISTORY_TABLE = LedgerSchema.SCHEMA_HISTORY_TABLE;

  /** Notification type of a circuit breaker opening. */
  public static final String CIRCUIT_OPENED = NotificationOutbox.CIRCUIT_OPENED;

  /** Event types that go out as notifications (webhooks). */
  public static final Set<String> NOTIFIED = NotificationOutbox.NOTIFIED;

  private final Jdbi jdbi;
  private final Transactions transactions;
  private final LedgerJson json;
  private final Timestamps time;
  private final ServiceStore services;
  private final DeploymentStarts starts;
  private final ProgressRecords progress;
  private final CircuitBreaker circuitBreaker;
  private final NotificationOutbox outbox;
  private final DeploymentReads reads;
  private final AuditTrail audit;
  private final ApiTokens tokens;
  private final AnalysisPoints analysis = new AnalysisPoints();
  private final LedgerTallies tallies = new LedgerTallies();

  /** A ledger on {@code jdbi} with Sluice's JSON settings and the system UTC clock. */
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
    this.transactions = new Transactions(jdbi);
    this.json = new LedgerJson(Objects.requireNonNull(mapper, "mapper"));
    this.time = new Timestamps(Objects.requireNonNull(clock, "clock"));
    Objects.requireNonNull(policy, "policy");
    this.audit = new AuditTrail(json, time);
    this.tokens = new ApiTokens(time);
    this.reads = new DeploymentReads(json);
    this.services = new ServiceStore(json, time, audit);
    this.starts = new DeploymentStarts(json, time, audit, reads);
    this.outbox = new NotificationOutbox(json, time);
    this.circuitBreaker = new CircuitBreaker(time, policy, audit);
    this.progress = new ProgressRecords(json, time, outbox, circuitBreaker);
  }

  /** The feature flags kept in this ledger's database. */
  public FlagStore flagStore() {
    return new FlagStore(jdbi, transactions, time, audit);
  }

  /**
   * An ObjectMapper that writes what the ledger stores: records, {@code java.time} values as
   * ISO-8601 strings ({@code Duration} as {@code PT10S}), {@code IntOrPercent} as {@code 2} or
   * {@code "25%"}, and that ignores unknown properties so rows written by a newer Sluice still
   * read.
   */
  public static ObjectMapper objectMapper() {
    return LedgerJson.objectMapper();
  }

  /**
   * Brings the ledger schema in {@code dataSource} up to date. Safe to call from several processes
   * at start: Flyway serialises them.
   *
   * @return the number of migrations applied; 0 when already up to date
   */
  public static int migrate(DataSource dataSource) {
    return LedgerSchema.migrate(dataSource);
  }

  /**
   * The JDBC URL of the embedded default: an H2 file database at {@code file} (H2 adds {@code
   * .mv.db}), e.g. {@code .sluice/ledger}.
   *
   * <p>{@code AUTO_SERVER=TRUE} lets a second process (the API and a standalone worker) open the
   * same file: the first opener serves it over TCP to local connections only and the others connect
   * through that, taking over when it exits. {@code LOCK_TIMEOUT=10000} lets a writer wait up to 10
   * s for another's row lock instead of H2's default of 2 s. {@code WRITE_DELAY=0}: see {@link
   * #durableUrl}. Use it through a connection pool, which keeps the database open between calls.
   * Tests use the same URL on a temporary directory.
   *
   * @param file the database file without extension; made absolute, since H2 rejects implicitly
   *     relative paths
   * @return e.g. {@code
   *     jdbc:h2:file:/srv/.sluice/ledger;AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;WRITE_DELAY=0}
   */
  public static String h2FileUrl(Path file) {
    return "jdbc:h2:file:"
        + file.toAbsolutePath()
        + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000"
        + H2_WRITE_AT_COMMIT;
  }

  private static final String H2_WRITE_AT_COMMIT = ";WRITE_DELAY=0";

  /**
   * {@code jdbcUrl} made to keep every commit when the process is killed: an H2 file database gets
   * {@code WRITE_DELAY=0} unless its URL sets a delay itself. H2 has no write-ahead log; by default
   * it writes committed changes to its file up to 500 ms later, so a SIGKILL loses the ledger's
   * last records (a deployment's events, its lock) while Temporal keeps the workflow's. Other URLs
   * are returned as they are.
   */
  public static String durableUrl(String jdbcUrl) {
    if (jdbcUrl == null
        || !jdbcUrl.startsWith("jdbc:h2:file:")
        || jdbcUrl.toUpperCase(Locale.ROOT).contains(";WRITE_DELAY=")) {
      return jdbcUrl;
    }
    return jdbcUrl + H2_WRITE_AT_COMMIT;
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
    String text = json.write(definition);
    return transactions.inTransaction(h -> services.put(h, definition, text, actor));
  }

  /** The service named {@code name}, if stored. */
  public Optional<ServiceDefinition> service(String name) {
    return jdbi.withHandle(h -> services.service(h, name));
  }

  /** Every stored service, by name. */
  public List<ServiceDefinition> services() {
    return jdbi.withHandle(services::services);
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
    return transactions.inTransaction(h -> starts.begin(h, deployment));
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
    return transactions.inTransaction(h -> starts.startFailed(h, deploymentId, reason));
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
    return transactions.inTransaction(h -> starts.abandon(h, deploymentId, reason));
  }

  /** The id of the deployment holding the service's lock, if one does. */
  public Optional<String> lockHolder(String service) {
    return jdbi.withHandle(h -> DeploymentStarts.lockHolder(h, service));
  }

  /**
   * The newest deployment of {@code service} that began after {@code deploymentId} (whatever its
   * state), or empty when none did: a retry of {@code deploymentId} would undo it.
   */
  public Optional<String> newerDeployment(String service, String deploymentId) {
    return jdbi.withHandle(h -> DeploymentStarts.newerDeployment(h, service, deploymentId));
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
    return transactions.inTransaction(h -> starts.reopen(h, deploymentId, service, actor));
  }

  /**
   * Releases the service's lock if {@code deploymentId} holds it; for reconciliation, when Temporal
   * says the holder's workflow is gone. Audited as {@code lock.released} by {@link #SYSTEM_ACTOR}.
   * The deployment's own row is left as it is.
   *
   * @return true when the lock was released; false when that deployment did not hold it
   */
  public boolean releaseLock(String service, String deploymentId) {
    return transactions.inTransaction(h -> starts.releaseLock(h, service, deploymentId));
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
    transactions.useTransaction(h -> progress.record(h, entry));
  }

  /**
   * Records a child's progress under its parent: targets merged into the parent's (and into the
   * service's per-target versions), events added, the parent shown PAUSED while the child waits for
   * a resume and RUNNING in PROMOTING otherwise. Nothing changes once the parent has finished.
   * Idempotent: events are keyed by their sequence number.
   */
  public void recordChild(ChildEntry entry) {
    transactions.useTransaction(h -> progress.recordChild(h, entry));
  }

  // --- analysis ---------------------------------------------------------------------------------

  /** Most analysis points {@link #analysis} answers for one deployment. */
  public static final int MAX_ANALYSIS_POINTS = 50_000;

  /**
   * Records what analysis intervals of the deployment measured. Idempotent: a point already stored
   * (same run, interval and metric) is skipped, so a retried activity attempt may report again.
   */
  public void recordAnalysis(String deploymentId, List<AnalysisPoint> points) {
    Objects.requireNonNull(deploymentId, "deploymentId");
    transactions.useTransaction(h -> analysis.record(h, deploymentId, points));
  }

  /**
   * The deployment's analysis points, oldest first (at most {@link #MAX_ANALYSIS_POINTS}); empty
   * when none was recorded.
   */
  public List<AnalysisPoint> analysis(String deploymentId) {
    return jdbi.withHandle(h -> analysis.points(h, deploymentId, MAX_ANALYSIS_POINTS));
  }

  /**
   * The deployment's latest analysis point that counts requests of both groups, some (its {@link
   * AnalysisPoint#actualWeight} is the canary's actual share of the traffic); empty before one.
   */
  public Optional<AnalysisPoint> latestActualWeight(String deploymentId) {
    return jdbi.withHandle(h -> analysis.latestCounted(h, deploymentId));
  }

  // --- circuit breaker --------------------------------------------------------------------------

  public CircuitState circuit(String service) {
    return jdbi.withHandle(h -> circuitBreaker.circuit(h, service));
  }

  /** Closes the service's circuit: failures before now no longer count. Audited. */
  public void resetCircuit(String service, String actor) {
    transactions.useTransaction(h -> circuitBreaker.reset(h, service, actor));
  }

  // --- notifications outbox -------------------------------------------------------------------

  /**
   * Claims up to {@code limit} undelivered notifications for {@code lease}: another dispatcher
   * skips them meanwhile. Oldest first.
   */
  public List<Notification> claimNotifications(int limit, int maxAttempts, Duration lease) {
    return transactions.inTransaction(h -> outbox.claim(h, limit, maxAttempts, lease));
  }

  public void notificationDelivered(long id) {
    jdbi.useHandle(h -> outbox.delivered(h, id));
  }

  /** Records a failed delivery; the notification is tried again after {@code retryAfter}. */
  public void notificationFailed(long id, String error, Duration retryAfter) {
    jdbi.useHandle(h -> outbox.failed(h, id, error, retryAfter));
  }

  /** Notifications not delivered yet (for tests and operators). */
  public int undeliveredNotifications() {
    return jdbi.withHandle(outbox::undelivered);
  }

  /** Every notification of a service, oldest first: type and message (for tests). */
  public List<String> notificationTypes(String service) {
    return jdbi.withHandle(h -> outbox.types(h, service));
  }

  // --- reads ------------------------------------------------------------------------------------

  /** The deployment with {@code id}, if recorded. */
  public Optional<DeploymentRecord> deployment(String id) {
    return jdbi.withHandle(h -> reads.deployment(h, id));
  }

  /**
   * Deployments newest first, at most {@code limit}.
   *
   * @param service only this service's; {@code null} for all
   * @param state only those in this state; {@code null} for any
   */
  public List<DeploymentRecord> deployments(String service, DeploymentState state, int limit) {
    return jdbi.withHandle(h -> reads.deployments(h, service, state, limit));
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
        TransactionIsolationLevel.REPEATABLE_READ, h -> reads.deploymentWithEvents(h, id));
  }

  /** Every recorded event of the deployment, by sequence number; empty when unknown. */
  public List<DeploymentEvent> events(String deploymentId) {
    return jdbi.withHandle(h -> reads.events(h, deploymentId));
  }

  /**
   * Every deployment ever recorded, counted by service, strategy and state: one row per group.
   * Sluice's metrics read it at each scrape.
   */
  public List<DeploymentTally> deploymentTallies() {
    return jdbi.withHandle(tallies::deployments);
  }

  /** Every canary analysis recorded, counted by service and verdict. */
  public List<VerdictTally> verdictTallies() {
    return jdbi.withHandle(tallies::verdicts);
  }

  /** The service's finished deployments, oldest first. */
  public List<VersionHistoryEntry> history(String service) {
    return jdbi.withHandle(h -> reads.history(h, service));
  }

  /**
   * The version the whole service runs, according to its last finished deployment. Empty when no
   * deployment finished yet, or when the last one left the fleet mixed or its versions unknown.
   */
  public Optional<String> currentVersion(String service) {
    return jdbi.withHandle(h -> reads.currentVersion(h, service));
  }

  /**
   * The version that ran before the current one: walking the history back from the last finished
   * deployment, the first version the whole service ran that differs from the current version.
   * After v1, v2 and a rolled-back v3, the current version is v2 and this is v1. Empty when there
   * is no such version.
   */
  public Optional<String> previousVersion(String service) {
    return jdbi.withHandle(h -> reads.previousVersion(h, service));
  }

  /** What each of the service's targets runs, by target id, as far as the ledger knows. */
  public Map<String, String> targetVersions(String service) {
    return jdbi.withHandle(h -> DeploymentReads.targetVersions(h, service));
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
    transactions.useTransaction(h -> audit.append(h, actor, action, subject, details));
  }

  // --- API tokens -------------------------------------------------------------------------------

  /**
   * Stores a new API token by its secret's SHA-256 (hex), and audits it as {@code token.create}.
   *
   * @return false when a token of that name exists, or existed: names are never given twice
   */
  public boolean createToken(ApiToken token, String secretSha256) {
    return transactions.inTransaction(
        h -> {
          boolean created = tokens.create(h, token, secretSha256);
          if (created) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("role", token.role());
            details.put("services", token.services());
            audit.append(h, token.createdBy(), "token.create", token.name(), details);
          }
          return created;
        });
  }

  /** Every API token made over the API, revoked ones included, oldest first; no secrets. */
  public List<ApiToken> tokens() {
    return jdbi.withHandle(tokens::all);
  }

  /** The working (not revoked) token whose secret has this SHA-256 (hex). */
  public Optional<ApiToken> tokenBySecretHash(String secretSha256) {
    return jdbi.withHandle(h -> tokens.working(h, secretSha256));
  }

  /** Whether any token made over the API still works (then the API needs a token). */
  public boolean anyWorkingToken() {
    return jdbi.withHandle(tokens::anyWorking);
  }

  /**
   * Revokes a token at once, audited as {@code token.revoke}.
   *
   * @return false when no working token has that name
   */
  public boolean revokeToken(String name, String by) {
    return transactions.inTransaction(
        h -> {
          boolean revoked = tokens.revoke(h, name, by);
          if (revoked) {
            audit.append(h, by, "token.revoke", name, null);
          }
          return revoked;
        });
  }

  /**
   * The audit trail, newest first, at most {@code limit} entries.
   *
   * @param subject only entries about this service or deployment; {@code null} for all
   */
  public List<AuditEntry> auditTrail(String subject, int limit) {
    return jdbi.withHandle(h -> audit.trail(h, subject, limit));
  }

  /**
   * The newest entry of each subject audited with {@code action}, newest first, at most {@code
   * limit}: what was started, by the start's own audit row ({@code release.start} gives every
   * release, {@code dualwrite.start} every dual-write migration by name, each at its latest start).
   * Entries without a subject are left out.
   *
   * @throws IllegalArgumentException when {@code limit} is below 1
   */
  public List<AuditEntry> latestAudit(String action, int limit) {
    return jdbi.withHandle(h -> audit.latestPerSubject(h, action, limit));
  }
}
