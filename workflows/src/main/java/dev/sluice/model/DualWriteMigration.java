package dev.sluice.model;

import java.time.Duration;
import java.util.List;

/**
 * A move of data between two stores through the dual-write phases (old only → dual write → shadow
 * read → read new → new only), driven by a flag the application's {@code DualWriteRepository}
 * follows.
 *
 * @param name the migration, as the repository labels its counters ({@code migration="…"})
 * @param flagKey the phase flag: a string flag with variants old-only, dual-write, shadow-read,
 *     read-new, new-only
 * @param metricsUrls the application instances' {@code /metrics}, where the counters are read
 * @param window how long each observation lasts
 * @param maxMismatchRate mismatches per compared read allowed in a window (default 0)
 * @param requestedBy who started it
 * @param startPhase where a continued run resumes (0: the beginning)
 */
public record DualWriteMigration(
    String name,
    String flagKey,
    List<String> metricsUrls,
    Duration window,
    double maxMismatchRate,
    String requestedBy,
    int startPhase) {

  public DualWriteMigration {
    metricsUrls = List.copyOf(metricsUrls);
    window = window == null ? Duration.ofMinutes(5) : window;
  }

  /** The phases the workflow moves the flag through, in order. */
  public static final List<String> PHASES =
      List.of("dual-write", "shadow-read", "read-new", "new-only");

  public DualWriteMigration from(int phase) {
    return new DualWriteMigration(
        name, flagKey, metricsUrls, window, maxMismatchRate, requestedBy, phase);
  }
}
