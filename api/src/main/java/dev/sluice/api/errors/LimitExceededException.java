package dev.sluice.api.errors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.util.RequestPayload;

/** A request body over one of {@link BoundedJsonFactory}'s limits; the API answers 422. */
public final class LimitExceededException extends StreamReadException {

  private static final long serialVersionUID = 1L;

  private final String field;

  LimitExceededException(JsonParser parser, String field, String reason) {
    super(parser, reason);
    this.field = field;
  }

  @Override
  public LimitExceededException withParser(JsonParser parser) {
    _processor = parser;
    return this;
  }

  @Override
  public LimitExceededException withRequestPayload(RequestPayload payload) {
    _requestPayload = payload;
    return this;
  }

  /** The list or object over the limit ({@code fleet}), or null for the body itself. */
  public String field() {
    return field;
  }

  /** The limit, without Jackson's location. */
  public String reason() {
    return getOriginalMessage();
  }
}
