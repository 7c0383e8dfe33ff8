package dev.sluice.activities.migrations;

/** The database lacks something a migration needs; the message names it. */
public final class UnsupportedByDatabaseException extends RuntimeException {
  public UnsupportedByDatabaseException(String message) {
    super(message);
  }
}
