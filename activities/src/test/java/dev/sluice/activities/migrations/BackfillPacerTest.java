package dev.sluice.activities.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.activities.migrations.BackfillPacer.Step;
import dev.sluice.model.MigrationSpec.Pace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pace's decisions, fed made-up batch times and probe latencies. */
class BackfillPacerTest {

  static final long MS = 1_000_000;

  /** Target 50 ms, batches of 100 to 50,000, probe p99 held to 1.5× its baseline. */
  static final Pace PACE = new Pace(false, Duration.ofMillis(50), 100, 50_000, 1.5, null);

  /** {@code n} probes of {@code ms} each. */
  static long[] probes(int n, double ms) {
    long[] p = new long[n];
    Arrays.fill(p, (long) (ms * MS));
    return p;
  }

  /** A pacer whose probe p99 before the backfill was 1 ms (limit 1.5 ms). */
  static BackfillPacer withBaseline(int firstBatch) {
    BackfillPacer pacer = new BackfillPacer(firstBatch, PACE);
    pacer.baseline(probes(200, 1));
    return pacer;
  }

  @Test
  void fastBatchesGrowAtMostTwofoldPerBatchUpToTheTargetBatchTime() {
    BackfillPacer pacer = new BackfillPacer(1000, PACE);
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int size = pacer.batchSize();
      // This database does 200 rows a millisecond: 10,000 rows make a 50 ms batch.
      pacer.afterBatch(size, size * MS / 200, new long[0]);
      sizes.add(pacer.batchSize());
    }
    assertThat(sizes.subList(0, 4)).containsExactly(2000, 4000, 8000, 10_000);
    assertThat(sizes.subList(4, 10)).allMatch(s -> s == 10_000);
  }

  @Test
  void slowBatchesShrinkTowardTheTargetBatchTime() {
    BackfillPacer pacer = new BackfillPacer(10_000, PACE);
    int size = pacer.batchSize();
    for (int i = 0; i < 20; i++) {
      // The database got busy: 20 rows a millisecond, so 1,000 rows make 50 ms.
      pacer.afterBatch(size, size * MS / 20, new long[0]);
      size = pacer.batchSize();
    }
    assertThat(size).isBetween(990, 1010);
  }

  @Test
  void batchSizesStayWithinMinAndMaxBatchSize() {
    Pace narrow = new Pace(false, Duration.ofMillis(50), 500, 2000, null, null);
    BackfillPacer pacer = new BackfillPacer(100_000, narrow);
    assertThat(pacer.batchSize()).as("the first batch is clamped too").isEqualTo(2000);
    pacer.afterBatch(2000, MS, new long[0]); // 2,000 rows a millisecond: wants 100,000
    assertThat(pacer.batchSize()).isEqualTo(2000);
    pacer.afterBatch(pacer.batchSize(), 10_000 * MS, new long[0]); // a batch of 10 s
    assertThat(pacer.batchSize()).as("one slow batch is enough to shrink").isEqualTo(500);
  }

  @Test
  void aLockTimeoutHalvesTheNextBatchDownToMinBatchSize() {
    BackfillPacer pacer = new BackfillPacer(1000, PACE);
    assertThat(pacer.afterLockTimeout()).isEqualTo(500);
    assertThat(pacer.afterLockTimeout()).isEqualTo(250);
    assertThat(pacer.afterLockTimeout()).isEqualTo(125);
    assertThat(pacer.afterLockTimeout()).isEqualTo(100);
    assertThat(pacer.afterLockTimeout()).isEqualTo(100);
  }

  @Test
  void theLimitIsMaxSlowdownTimesTheBaselineP99() {
    BackfillPacer pacer = new BackfillPacer(1000, PACE);
    long[] baseline = probes(200, 1);
    baseline[5] = 4 * MS; // two probes in 200 are above the p99 …
    baseline[7] = 3 * MS;
    baseline[9] = 2 * MS; // … and the third slowest is it
    pacer.baseline(baseline);
    assertThat(pacer.baselineP99Nanos()).isEqualTo(2 * MS);
    assertThat(pacer.limitNanos()).isEqualTo(3 * MS);
  }

  @Test
  void probesWithinTheLimitNeverRest() {
    BackfillPacer pacer = withBaseline(1000);
    for (int i = 0; i < 50; i++) {
      Step step = pacer.afterBatch(pacer.batchSize(), 50 * MS, probes(10, 1.4));
      assertThat(step.restNanos()).isZero();
      assertThat(step.duty()).isEqualTo(1.0);
    }
  }

  @Test
  void aSlowProbeHalvesTheDutyAndTheRestFillsTheRemainingShare() {
    BackfillPacer pacer = withBaseline(1000);
    Step step = pacer.afterBatch(1000, 40 * MS, probes(10, 2));
    assertThat(step.duty()).isEqualTo(0.5);
    assertThat(step.restNanos())
        .as("working half the time: rest as long as the batch")
        .isEqualTo(40 * MS);
    assertThat(step.probeP99Nanos()).isEqualTo(2 * MS);

    step = pacer.afterBatch(1000, 40 * MS, probes(10, 2));
    assertThat(step.duty()).isEqualTo(0.25);
    assertThat(step.restNanos()).isEqualTo(120 * MS);
  }

  @Test
  void oneSlowSpellIsOneCutNotOnePerBatchItStaysInTheWindow() {
    BackfillPacer pacer = withBaseline(1000);
    assertThat(pacer.afterBatch(1000, 40 * MS, probes(10, 5)).duty()).isEqualTo(0.5);
    // The slow probes were judged; the next batch's are quick again: the duty starts to recover.
    assertThat(pacer.afterBatch(1000, 40 * MS, probes(10, 1)).duty()).isCloseTo(0.55, within(1e-9));
  }

  @Test
  void theDutyRecoversAdditivelyOnceTheProbeIsQuickAgain() {
    BackfillPacer pacer = withBaseline(1000);
    pacer.afterBatch(1000, 40 * MS, probes(10, 5));
    pacer.afterBatch(1000, 40 * MS, probes(10, 5));
    List<Double> duties = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      duties.add(pacer.afterBatch(1000, 40 * MS, probes(10, 1)).duty());
    }
    assertThat(duties.get(0)).isCloseTo(0.30, within(1e-9));
    assertThat(duties.get(1)).isCloseTo(0.35, within(1e-9));
    assertThat(duties.get(14)).isCloseTo(1.0, within(1e-9));
    assertThat(duties.get(15)).isEqualTo(1.0);
  }

  @Test
  void aLoneSlowProbeInAFullWindowIsBelowItsP99AndTakesNoRest() {
    BackfillPacer pacer = withBaseline(1000);
    long[] probes = probes(BackfillPacer.WINDOW, 1);
    probes[50] = 10 * MS;
    assertThat(pacer.afterBatch(1000, 40 * MS, probes).restNanos()).isZero();
  }

  @Test
  void theDutyNeverFallsBelowItsMinimum() {
    BackfillPacer pacer = withBaseline(1000);
    Step step = null;
    for (int i = 0; i < 20; i++) {
      step = pacer.afterBatch(1000, 10 * MS, probes(10, 100));
    }
    assertThat(step.duty()).isEqualTo(BackfillPacer.MIN_DUTY);
    assertThat(step.restNanos()).isCloseTo(190 * MS, within(1000L));
  }

  @Test
  void withoutABaselineOrWithTooFewProbesTheBackfillNeverRests() {
    BackfillPacer none = new BackfillPacer(1000, PACE);
    BackfillPacer few = new BackfillPacer(1000, PACE);
    few.baseline(probes(BackfillPacer.MIN_BASELINE - 1, 1));
    assertThat(few.limitNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(none.afterBatch(1000, 40 * MS, probes(10, 100)).restNanos()).isZero();
    assertThat(few.afterBatch(1000, 40 * MS, probes(10, 100)).restNanos()).isZero();
  }

  @Test
  void aFixedPaceKeepsItsBatchSizeAndNeverRests() {
    BackfillPacer pacer = new BackfillPacer(300, Pace.FIXED);
    pacer.baseline(probes(200, 1));
    for (int i = 0; i < 5; i++) {
      Step step = pacer.afterBatch(300, 1000 * MS, probes(10, 100));
      assertThat(step.batchSize()).isEqualTo(300);
      assertThat(step.restNanos()).isZero();
    }
    assertThat(pacer.afterLockTimeout()).isEqualTo(300);
  }
}
