package dev.sluice.api.errors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.MappingJsonFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The JSON reader of the API's bodies, with limits on what one body may hold, checked while it is
 * read, so nothing over them is ever built in memory: at most {@code maxItems} elements in any list
 * and entries in any object (a fleet of 10,000 targets, not ten million), at most {@code
 * maxStringLength} characters in any string. A body over them fails with {@link
 * LimitExceededException}, which names the field; the API answers 422.
 */
public final class BoundedJsonFactory extends MappingJsonFactory {

  private static final long serialVersionUID = 1L;

  private volatile int maxItems = 10_000;

  public BoundedJsonFactory() {
    super();
  }

  private BoundedJsonFactory(BoundedJsonFactory source) {
    super(source, null);
    this.maxItems = source.maxItems;
  }

  /** Sets the limits (from the configuration, before the API serves). */
  public void limit(int maxItems, int maxStringLength) {
    this.maxItems = maxItems;
    setStreamReadConstraints(
        StreamReadConstraints.builder()
            .maxStringLength(maxStringLength)
            .maxNestingDepth(StreamReadConstraints.DEFAULT_MAX_DEPTH)
            .maxNumberLength(StreamReadConstraints.DEFAULT_MAX_NUM_LEN)
            .build());
  }

  public int maxItems() {
    return maxItems;
  }

  @Override
  public MappingJsonFactory copy() {
    return new BoundedJsonFactory(this);
  }

  @Override
  protected JsonParser _createParser(InputStream in, IOContext context) throws IOException {
    return new Bounded(super._createParser(in, context), maxItems);
  }

  @Override
  protected JsonParser _createParser(Reader r, IOContext context) throws IOException {
    return new Bounded(super._createParser(r, context), maxItems);
  }

  @Override
  protected JsonParser _createParser(
      char[] data, int offset, int len, IOContext context, boolean recyclable) throws IOException {
    return new Bounded(super._createParser(data, offset, len, context, recyclable), maxItems);
  }

  @Override
  protected JsonParser _createParser(byte[] data, int offset, int len, IOContext context)
      throws IOException {
    return new Bounded(super._createParser(data, offset, len, context), maxItems);
  }

  /** Counts, token by token, the elements of the list or the entries of the object being read. */
  private static final class Bounded extends JsonParserDelegate {

    private final int maxItems;

    Bounded(JsonParser parser, int maxItems) {
      super(parser);
      this.maxItems = maxItems;
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken token = super.nextToken();
      if (token == null || token == JsonToken.END_ARRAY || token == JsonToken.END_OBJECT) {
        return token;
      }
      JsonStreamContext context = getParsingContext();
      // A list or object that starts here is an element of its parent.
      JsonStreamContext holder =
          token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT
              ? context.getParent()
              : context;
      boolean counted =
          holder != null
              && ((holder.inArray() && token != JsonToken.FIELD_NAME)
                  || (holder.inObject() && token == JsonToken.FIELD_NAME));
      if (counted && holder.getCurrentIndex() >= maxItems) {
        throw new LimitExceededException(
            this,
            path(holder),
            (holder.inArray()
                    ? "at most " + maxItems + " items"
                    : "at most " + maxItems + " fields")
                + " (limits.maxItems)");
      }
      return token;
    }

    @Override
    public JsonToken nextValue() throws IOException {
      JsonToken token = nextToken();
      return token == JsonToken.FIELD_NAME ? nextToken() : token;
    }

    /** {@code fleet} or {@code definition.targeting.if[2]}: where {@code context} is. */
    private static String path(JsonStreamContext context) {
      Deque<String> segments = new ArrayDeque<>();
      for (JsonStreamContext c = context;
          c.getParent() != null && !c.getParent().inRoot();
          c = c.getParent()) {
        JsonStreamContext parent = c.getParent();
        segments.addFirst(
            parent.inArray() ? "[" + parent.getCurrentIndex() + "]" : parent.getCurrentName());
      }
      StringBuilder path = new StringBuilder();
      for (String segment : segments) {
        if (path.length() > 0 && !segment.startsWith("[")) {
          path.append('.');
        }
        path.append(segment);
      }
      return path.length() == 0 ? null : path.toString();
    }
  }
}
