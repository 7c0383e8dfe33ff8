package dev.sluice.activities;

import dev.sluice.ports.Heartbeat;
import dev.sluice.workflows.FailureTypes;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/** What every activity implementation shares: heartbeats and how adapter errors become failures. */
final class Activities {

  private Activities() {}

  /** Heartbeats to Temporal when inside an activity, otherwise nothing. */
  static Heartbeat heartbeat() {
    try {
      var context = Activity.getExecutionContext();
      return context::heartbeat;
    } catch (IllegalStateException | NullPointerException notInActivity) {
      return Heartbeat.NONE;
    }
  }

  /** Runs an adapter call; a configuration error becomes a non-retryable failure. */
  static <T> T run(Supplier<T> call) {
    try {
      return call.get();
    } catch (ConfigurationException e) {
      throw ApplicationFailure.newNonRetryableFailureWithCause(
          e.getMessage(), FailureTypes.CONFIGURATION_ERROR, e);
    }
  }
}
