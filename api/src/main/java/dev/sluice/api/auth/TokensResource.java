package dev.sluice.api.auth;

import dev.sluice.api.auth.Tokens.Created;
import dev.sluice.api.auth.Tokens.TokenBody;
import dev.sluice.api.auth.Tokens.TokenList;
import dev.sluice.api.auth.Tokens.TokenView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /api/v1/tokens}: API tokens with a role and, optionally, the services they are limited to
 * ({@link Tokens}). Creating and revoking need an admin ({@link Permissions}); both are audited.
 */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokensResource {

  private final Tokens tokens;

  public TokensResource(Tokens tokens) {
    this.tokens = tokens;
  }

  /** 201 with the token and its secret, shown this once. */
  @POST
  public Response create(TokenBody body, @Context ContainerRequestContext request) {
    Created created = tokens.create(body, ActorFilter.actor(request));
    return Response.status(201).entity(created).build();
  }

  @GET
  public TokenList list() {
    return tokens.list();
  }

  @DELETE
  @Path("/{name}")
  public TokenView revoke(
      @PathParam("name") String name, @Context ContainerRequestContext request) {
    return tokens.revoke(name, ActorFilter.actor(request));
  }
}
