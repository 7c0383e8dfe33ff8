package dev.sluice.api.errors;

import dev.sluice.api.common.ErrorBody;
import java.io.IOException;

/**
 * A request body over the limit. An {@link IOException}, so a JSON reader passes it on unwrapped
 * instead of reporting malformed JSON; {@link BodyTooLargeMapper} answers it with 413.
 */
public final class BodyTooLargeException extends IOException {

  public BodyTooLargeException(long limit) {
    super("request body too large (limit " + limit + " bytes)");
  }

  /** The 413 with the API's error body. */
  public ApiException asApiException() {
    return new ApiException(new ErrorBody(413, "too_large", getMessage(), null, null, null));
  }

  /** The body-too-large failure somewhere in {@code failure}'s causes, or null. */
  public static BodyTooLargeException in(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BodyTooLargeException tooLarge) {
        return tooLarge;
      }
    }
    return null;
  }
}
