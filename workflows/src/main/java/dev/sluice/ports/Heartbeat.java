package dev.sluice.ports;

/**
 * Lets a long-running adapter call report progress. Inside an activity it becomes a Temporal
 * heartbeat (so a dead worker is noticed within the heartbeat timeout and the retry sees the last
 * details); elsewhere it does nothing.
 */
@FunctionalInterface
public interface Heartbeat {

  Heartbeat NONE = details -> {};

  /** Reports progress; {@code details} must be serializable to JSON. */
  void beat(Object details);
}
