package dev.sluice.activities.metrics.haproxystats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** HAProxy's moving response-time average, inverted: pure arithmetic, no HAProxy needed. */
class WindowMeanTest {

  @Test
  void aWindowsMeanIsRecoveredFromHaproxysMovingAverage() {
    // 240 responses of 700 ms after a long run at 2 ms: HAProxy's average reads only ~148 ms.
    long before = 2;
    double k = Math.pow(1 - 1.0 / 1024, 240);
    long after = Math.round(700 + (before - 700) * k);
    assertThat(after).isBetween(140L, 160L);
    assertThat(windowMs(before, after, 240, 100_000)).isBetween(690L, 710L);
    assertThat(windowMs(5, 5, 100, 100_000)).isEqualTo(5);
    assertThat(windowMs(5, 5, 0, 100_000)).isZero();
  }

  @Test
  void belowAThousandResponsesHaproxysFigureIsAPlainMean() {
    // 100 responses at 20 ms, then 20 at 200 ms: HAProxy reports the mean of all 120, 50 ms.
    assertThat(windowMs(20, 50, 20, 120)).isEqualTo(200);
    // A fresh server: its first 20 responses, all at 20 ms, are a window of 20 ms.
    assertThat(windowMs(0, 20, 20, 20)).isEqualTo(20);
  }

  /** The window's mean in whole milliseconds, as the threshold judge takes it. */
  private static long windowMs(long before, long after, long answered, long total) {
    return Math.round(HaproxyStatsProvider.windowMean(before, after, answered, total));
  }
}
