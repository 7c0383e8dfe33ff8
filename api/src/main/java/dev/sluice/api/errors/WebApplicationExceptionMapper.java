package dev.sluice.api.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sluice.api.common.ErrorBody;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Locale;

/** Jersey's own errors (unknown path, wrong method or media type) as JSON like every other. */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

  @Override
  public Response toResponse(WebApplicationException exception) {
    BodyTooLargeException tooLarge = BodyTooLargeException.in(exception);
    if (tooLarge != null) {
      return new ApiExceptionMapper().toResponse(tooLarge.asApiException());
    }
    Response.StatusType status = exception.getResponse().getStatusInfo();
    String error = status.getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '_');
    if (exception.getCause() instanceof JsonProcessingException json) {
      return new JsonExceptionMapper().toResponse(json);
    }
    return Response.status(status.getStatusCode())
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(
            new ErrorBody(
                status.getStatusCode(),
                error,
                exception.getMessage() == null ? status.getReasonPhrase() : exception.getMessage(),
                null,
                null,
                null))
        .build();
  }
}
