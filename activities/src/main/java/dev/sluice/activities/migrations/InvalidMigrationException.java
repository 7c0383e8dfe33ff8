package dev.sluice.activities.migrations;

/** A migration that cannot apply as written; the message names the operation and the reason. */
public final class InvalidMigrationException extends RuntimeException {

  private final String field;

  public InvalidMigrationException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** Where in the spec, e.g. {@code operations[0].column}. */
  public String field() {
    return field;
  }

  /** The reason alone, without the field. */
  public String reason() {
    return getMessage().substring(field.length() + 2);
  }
}
