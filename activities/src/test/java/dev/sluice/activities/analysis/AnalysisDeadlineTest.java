package dev.sluice.activities.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How long a watch (canary analysis, warm-up, post-deploy window) lasts when a worker crash makes
 * Temporal retry it: the retry carries on for the time still to watch, however late it starts.
 */
class AnalysisDeadlineTest {

  static final Duration TEN_S = Duration.ofSeconds(10);
  static final Duration TWO_S = Duration.ofSeconds(2);

  @Test
  void aFirstAttemptWatchesForTheDurationFromItsStart() {
    assertThat(AnalysisActivitiesImpl.deadline(1_000, 0, TEN_S, TWO_S, 1_000)).isEqualTo(11_000);
  }

  @Test
  void aRetryAtOnceAfterThreeWindowsEndsWhenTheFirstAttemptWouldHave() {
    // Three 2 s windows done by 7 s, retried at once: 4 s to go.
    assertThat(AnalysisActivitiesImpl.deadline(1_000, 3, TEN_S, TWO_S, 7_000)).isEqualTo(11_000);
  }

  @Test
  void aRetryThatStartsAfterTheFirstDeadlineStillWatchesWhatIsLeft() {
    // The worker died in the second window; its replacement took the retry 30 s later.
    long retriedAt = 1_000 + 33_000;

    assertThat(AnalysisActivitiesImpl.deadline(1_000, 1, TEN_S, TWO_S, retriedAt))
        .isEqualTo(retriedAt + 8_000);
  }

  @Test
  void aRetryAfterEveryWindowWasWatchedEndsAtOnceWithWhatItHas() {
    long retriedAt = 60_000;

    assertThat(AnalysisActivitiesImpl.deadline(1_000, 5, TEN_S, TWO_S, retriedAt))
        .isLessThanOrEqualTo(retriedAt);
  }
}
