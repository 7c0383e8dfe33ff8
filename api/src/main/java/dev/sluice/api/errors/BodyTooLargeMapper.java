package dev.sluice.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** 413 for a body that passed the limit while it was read. */
public final class BodyTooLargeMapper implements ExceptionMapper<BodyTooLargeException> {

  private final ApiExceptionMapper delegate = new ApiExceptionMapper();

  @Override
  public Response toResponse(BodyTooLargeException exception) {
    return delegate.toResponse(exception.asApiException());
  }
}
