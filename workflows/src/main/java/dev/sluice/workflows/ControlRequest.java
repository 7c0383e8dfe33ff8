package dev.sluice.workflows;

/**
 * Argument of every control: who asks and why, for the audit trail.
 *
 * @param actor user or token name; {@code null} when sent from outside Sluice (Temporal UI)
 * @param reason free text; may be {@code null}
 * @param full for {@code promote}: skip every remaining step, pause and analysis, not only the
 *     current one; ignored by the other controls
 */
public record ControlRequest(String actor, String reason, Boolean full) {

  public ControlRequest(String actor, String reason) {
    this(actor, reason, null);
  }

  public static ControlRequest of(String actor, String reason) {
    return new ControlRequest(actor, reason, null);
  }

  public boolean isFull() {
    return Boolean.TRUE.equals(full);
  }
}
