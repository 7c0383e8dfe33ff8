package dev.sluice.api.errors;

import dev.sluice.api.common.ErrorBody;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bug: logged with an id the client gets, so it can be found; never a stack trace in the body.
 * The one failure that is not a bug, the ledger's database not answering, is a 503.
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
    SQLException down = connectionFailure(exception);
    if (down != null) {
      LOG.warn("The ledger's database does not answer: {}", down.getMessage());
      return new ApiExceptionMapper()
          .toResponse(
              ApiException.unavailable(
                  "the ledger's database does not answer; running deployments wait for it and"
                      + " carry on when it is back: try again shortly"));
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

  /**
   * The lost or refused database connection behind {@code e}, if any: SQLSTATE class 08, or 57P
   * (the server shut down or is starting: PostgreSQL ends its connections with 57P01).
   */
  private static SQLException connectionFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql
          && (sql instanceof SQLTransientConnectionException
              || (sql.getSQLState() != null
                  && (sql.getSQLState().startsWith("08")
                      || sql.getSQLState().startsWith("57P"))))) {
        return sql;
      }
    }
    return null;
  }
}
