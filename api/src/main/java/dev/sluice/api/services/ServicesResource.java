package dev.sluice.api.services;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code /api/v1/services}: every service Sluice knows. */
@Path("/api/v1/services")
@Produces(MediaType.APPLICATION_JSON)
public class ServicesResource {

  private final Services services;

  public ServicesResource(Services services) {
    this.services = services;
  }

  @GET
  public ServiceList list() {
    return services.list();
  }
}
