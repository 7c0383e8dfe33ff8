package dev.sluice.api.errors;

import java.util.Locale;
import org.eclipse.jetty.http.HttpStatus;

/** The machine-readable {@code error} of an error body that only has a status to go on. */
public final class ErrorCodes {

  private ErrorCodes() {}

  /** {@code bad_request}, {@code not_found}, {@code method_not_allowed}…: the status's words. */
  public static String of(int status) {
    return HttpStatus.getMessage(status).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }
}
