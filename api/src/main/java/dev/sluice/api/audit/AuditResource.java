package dev.sluice.api.audit;

import dev.sluice.api.common.Params;
import dev.sluice.ledger.Ledger;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code /api/v1/audit}: every mutation by a person or a CI token (service changes, deployments
 * started, controls sent, locks released), newest first; {@code subject} is a service name or a
 * deployment id.
 */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

  private final Ledger ledger;

  public AuditResource(Ledger ledger) {
    this.ledger = ledger;
  }

  @GET
  public AuditView list(
      @QueryParam("subject") String subject, @QueryParam("limit") String limitParam) {
    int limit = Params.integer("limit", limitParam, 100, 1, 1000);
    return new AuditView(
        ledger.auditTrail(subject, limit).stream()
            .map(
                e ->
                    new AuditView.Entry(
                        e.id(),
                        e.at(),
                        e.actor(),
                        e.role(),
                        e.source(),
                        e.action(),
                        e.subject(),
                        e.details()))
            .toList());
  }
}
