package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Polls a deployment until it ends — or, for {@code deploy --wait}, until it waits for a person —
 * or a timeout passes, showing each view it reads.
 */
final class Follow {

  private Follow() {}

  /**
   * @param stopOnPause end when the deployment waits for a person ({@link Outcome#PAUSED})
   * @param timeout null for no limit
   * @return the outcome; {@link Outcome#TIMED_OUT} when {@code timeout} passed first
   */
  static Outcome deployment(
      SluiceApi api,
      String id,
      Duration interval,
      Duration timeout,
      boolean stopOnPause,
      Consumer<JsonNode> show) {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    String path = "/api/v1/deployments/" + SluiceApi.segment(id);
    while (true) {
      JsonNode view = api.get(path);
      show.accept(view);
      Outcome outcome = Outcome.of(view);
      if (outcome != null && (outcome != Outcome.PAUSED || stopOnPause)) {
        return outcome;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Outcome.TIMED_OUT;
      }
      try {
        // Polling a remote server: the interval between reads, cut short by the deadline.
        Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SluiceApi.ApiException("interrupted");
      }
    }
  }
}
