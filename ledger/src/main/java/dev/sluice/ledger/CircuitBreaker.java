package dev.sluice.ledger;

import static dev.sluice.ledger.Timestamps.at;
import static dev.sluice.ledger.Timestamps.instant;

import dev.sluice.model.DeploymentState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Each service's deployment circuit breaker, derived from its version history since the last reset
 * (see {@link CircuitState}); resets are stored and audited.
 */
final class CircuitBreaker {

  private final Timestamps time;
  private final CircuitPolicy circuitPolicy;
  private final AuditTrail audit;

  CircuitBreaker(Timestamps time, CircuitPolicy circuitPolicy, AuditTrail audit) {
    this.time = time;
    this.circuitPolicy = circuitPolicy;
    this.audit = audit;
  }

  CircuitState circuit(Handle h, String service) {
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
    boolean open = until != null && time.now().isBefore(until);
    return new CircuitState(service, failures, circuitPolicy.failures(), open ? until : null, open);
  }

  /** See {@link Ledger#resetCircuit}. */
  void reset(Handle h, String service, String actor) {
    h.createUpdate(
            "INSERT INTO circuit_resets (service, at, actor) VALUES (:service, :now, :actor)")
        .bind("service", service)
        .bind("now", at(time.now()))
        .bind("actor", actor)
        .execute();
    audit.append(h, actor, "circuit.reset", service, null);
  }
}
