package dev.sluice.model;

import java.time.Duration;
import java.util.List;

/**
 * A gradual flag rollout (by default 5% of users, then 10, 25, 50 and 100%, a day each) as a
 * workflow's input: the flag's {@code variant} goes to each stage's percentage of users in turn,
 * each held for its bake, with an optional metric gate; a failed gate takes the flag back to 0%
 * (or, with {@code killOnFailure}, disables it).
 *
 * @param rolloutId also the workflow id
 * @param flagKey the flag
 * @param variant the variant rolled out
 * @param stages in order; the last is usually 100%
 * @param gate what to watch during each bake; null: no gate, bakes are plain waits
 * @param killOnFailure disable the flag (its code default everywhere) instead of 0%
 * @param requestedBy who started it, recorded on every flag version it writes
 */
public record FlagRollout(
    String rolloutId,
    String flagKey,
    String variant,
    List<Stage> stages,
    Gate gate,
    boolean killOnFailure,
    String requestedBy) {

  public FlagRollout {
    stages = List.copyOf(stages);
  }

  /** One stage: {@code percent} of users on the variant, held for {@code bake}. */
  public record Stage(int percent, Duration bake) {}

  /**
   * The metric gate: the service's metrics checked against absolute ceilings on its targets during
   * every bake (the post-deploy monitoring's check, with the bake as window).
   *
   * @param service the service whose metrics show the flag's effect
   * @param router its traffic router (HAProxy's counters serve when the analysis names no provider)
   * @param targets its targets
   * @param analysis its metrics and provider
   * @param ceilings the ceilings and check interval; the window is each stage's bake
   * @param compareCohorts judge the flag-on cohort against the flag-off cohort serving at the same
   *     time (the sequential judge, as a canary analysis) instead of ceilings: for providers whose
   *     metrics are labelled by cohort — queries see {@code {{group}}} = {@code canary} for users
   *     on the variant, {@code baseline} for the others, and {@code {{version}}} = the variant's
   *     name or {@code not-<variant>}
   */
  public record Gate(
      String service,
      ProviderRef router,
      List<Target> targets,
      AnalysisConfig analysis,
      AutoRollbackSpec ceilings,
      boolean compareCohorts) {

    /** A gate on ceilings. */
    public Gate(
        String service,
        ProviderRef router,
        List<Target> targets,
        AnalysisConfig analysis,
        AutoRollbackSpec ceilings) {
      this(service, router, targets, analysis, ceilings, false);
    }
  }

  /** The default plan: 5% (internal users first), 10, 25, 50, 100 — a day each but the last. */
  public static List<Stage> defaultPlan() {
    return List.of(
        new Stage(5, Duration.ofDays(1)),
        new Stage(10, Duration.ofDays(1)),
        new Stage(25, Duration.ofDays(1)),
        new Stage(50, Duration.ofDays(1)),
        new Stage(100, Duration.ZERO));
  }
}
