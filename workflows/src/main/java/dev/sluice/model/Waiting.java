package dev.sluice.model;

import java.time.Instant;

/**
 * What a running deployment waits for (a canary pause, a bake, a blue-green approval gate, the
 * pause between batches) and since when. A promote ends any of them; one without {@code until}
 * waits for nothing else.
 *
 * @param what the wait, for a person ("pause until promoted at step 3/5")
 * @param since when it began
 * @param until when it ends by itself; {@code null} when only a promote (or an abort) ends it
 */
public record Waiting(String what, Instant since, Instant until) {

  /** Whether only a person (promote or abort) ends the wait. */
  public boolean forPromote() {
    return until == null;
  }
}
