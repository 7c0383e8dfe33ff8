package dev.sluice.workflows;

/**
 * Argument of every control (pause, resume, abort): who asks and why, for the audit trail.
 *
 * @param actor user or token name; {@code null} when sent from outside Sluice (Temporal UI)
 * @param reason free text; may be {@code null}
 */
public record ControlRequest(String actor, String reason) {

  public static ControlRequest of(String actor, String reason) {
    return new ControlRequest(actor, reason);
  }
}
