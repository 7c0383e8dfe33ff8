package dev.sluice.api.errors;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Expected errors: the status and body the exception carries. */
@Provider
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {

  @Override
  public Response toResponse(ApiException exception) {
    return Response.status(exception.status())
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(exception.body())
        .build();
  }
}
