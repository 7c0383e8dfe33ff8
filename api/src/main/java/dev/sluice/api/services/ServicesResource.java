package dev.sluice.api.services;

import dev.sluice.ledger.Ledger;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code /api/v1/services}: every service Sluice knows. */
@Path("/api/v1/services")
@Produces(MediaType.APPLICATION_JSON)
public class ServicesResource {

  private final Ledger ledger;
  private final ServiceMapper mapper;

  public ServicesResource(Ledger ledger, ServiceMapper mapper) {
    this.ledger = ledger;
    this.mapper = mapper;
  }

  @GET
  public ServiceList list() {
    return new ServiceList(
        ledger.services().stream().map(s -> ServiceResource.view(s, mapper)).toList());
  }
}
