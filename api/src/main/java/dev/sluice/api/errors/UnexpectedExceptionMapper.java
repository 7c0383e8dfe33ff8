package dev.sluice.api.errors;

import dev.sluice.api.common.ErrorBody;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bug: logged with an id the client gets, so it can be found; never a stack trace in the body.
 */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {

  private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

  @Override
  public Response toResponse(Throwable exception) {
    BodyTooLargeException tooLarge = BodyTooLargeException.in(exception);
    if (tooLarge != null) {
      return new ApiExceptionMapper().toResponse(tooLarge.asApiException());
    }
    String id = Long.toHexString(ThreadLocalRandom.current().nextLong());
    LOG.error("Unexpected error {}", id, exception);
    return Response.status(500)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(
            new ErrorBody(
                500,
                "internal",
                "unexpected error; it was logged with id " + id,
                null,
                null,
                Map.of("errorId", id)))
        .build();
  }
}
