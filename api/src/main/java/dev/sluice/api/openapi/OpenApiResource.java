package dev.sluice.api.openapi;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.MediaType;
import java.util.function.Supplier;

/**
 * {@code GET /api/openapi.json}: the API described as OpenAPI 3.0, generated from the resources
 * registered in this application the first time it is asked for. It passes the same {@code
 * ActorFilter} as every other GET: with tokens configured it needs one too.
 */
@Path("/api/openapi.json")
@Produces(MediaType.APPLICATION_JSON)
public class OpenApiResource {

  private final Supplier<String> document;

  /**
   * @param jersey the application's Jersey configuration; read when the document is first asked
   *     for, so resources registered after this one are in it too
   */
  public OpenApiResource(Configuration jersey) {
    this.document = Memo.of(() -> OpenApiDocument.json(OpenApiDocument.resources(jersey)));
  }

  /** The document as {@code docs/openapi.json} holds it: pretty-printed, keys sorted. */
  @GET
  public String document() {
    return document.get();
  }

  /** Computed once, on first use; a failure is not remembered. */
  private static final class Memo implements Supplier<String> {
    private final Supplier<String> compute;
    private volatile String value;

    private Memo(Supplier<String> compute) {
      this.compute = compute;
    }

    static Supplier<String> of(Supplier<String> compute) {
      return new Memo(compute);
    }

    @Override
    public String get() {
      String v = value;
      if (v == null) {
        synchronized (this) {
          if (value == null) {
            value = compute.get();
          }
          v = value;
        }
      }
      return v;
    }
  }
}
