package dev.sluice.api.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.common.ErrorBody;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself (an ambiguous path such as {@code ..%2F}, a malformed header, an
 * unknown path outside the API, a servlet's error) in the API's JSON error shape instead of Jetty's
 * HTML page, whatever the request's {@code Accept} says. Its message is Jetty's reason, never a
 * stack trace or an exception's class.
 */
public class JsonErrorHandler extends ErrorHandler {

  private final ObjectMapper json;

  public JsonErrorHandler(ObjectMapper json) {
    this.json = json;
    setShowStacks(false);
    setShowCauses(false);
  }

  /** Every method's error has a body; Jetty's default gives one only to GET, POST and HEAD. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    ErrorBody body =
        new ErrorBody(code, ErrorCodes.of(code), sentence(code, message, cause), null, null, null);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
    response.write(true, ByteBuffer.wrap(json.writeValueAsBytes(body)), callback);
  }

  /** Jetty's reason when it gave one; the status's own words when it only has an exception. */
  private static String sentence(int code, String message, Throwable cause) {
    if (message == null
        || message.isBlank()
        || code >= 500
        || (cause != null && message.equals(cause.toString()))) {
      return HttpStatus.getMessage(code);
    }
    return message;
  }
}
