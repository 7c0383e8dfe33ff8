package dev.sluice.ledger;

import static dev.sluice.ledger.Timestamps.at;

import dev.sluice.model.ServiceDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Service definitions, by name; every put is audited. */
final class ServiceStore {

  private final LedgerJson json;
  private final Timestamps time;
  private final AuditTrail audit;

  ServiceStore(LedgerJson json, Timestamps time, AuditTrail audit) {
    this.json = json;
    this.time = time;
    this.audit = audit;
  }

  /**
   * Stores {@code text}, the JSON of {@code definition}, under the definition's name; see {@link
   * Ledger#putService}.
   *
   * @return true when the service is new
   */
  boolean put(Handle h, ServiceDefinition definition, String text, String actor) {
    Instant now = time.now();
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
    audit.append(
        h,
        actor,
        "service.put",
        definition.name(),
        Map.of("created", created, "definition", definition));
    return created;
  }

  Optional<ServiceDefinition> service(Handle h, String name) {
    return h.createQuery("SELECT definition FROM services WHERE name = :name")
        .bind("name", name)
        .map((rs, ctx) -> json.read(rs.getString(1), ServiceDefinition.class))
        .findOne();
  }

  List<ServiceDefinition> services(Handle h) {
    return h.createQuery("SELECT definition FROM services ORDER BY name")
        .map((rs, ctx) -> json.read(rs.getString(1), ServiceDefinition.class))
        .list();
  }
}
