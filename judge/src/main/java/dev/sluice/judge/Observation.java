package dev.sluice.judge;

/**
 * What one group (canary or baseline) showed of one metric in one interval. The type must match the
 * metric's {@link JudgeSpec.MetricType}.
 */
public sealed interface Observation {

  /** {@link JudgeSpec.MetricType#RATIO}: {@code events} out of {@code total}. */
  record Counts(long events, long total) implements Observation {}

  /**
   * {@link JudgeSpec.MetricType#SAMPLES}: the measurements of the interval (all of them, or a
   * uniform sample). Not copied: don't change the array after handing it over.
   */
  record Samples(double[] values) implements Observation {}

  /** {@link JudgeSpec.MetricType#VALUE}: one figure for the interval. */
  record Value(double value) implements Observation {}

  /**
   * One metric in one interval; a null side (or a null {@code Pair}) means the source had no data
   * for it: a provider error or no traffic.
   */
  record Pair(Observation baseline, Observation canary) {}
}
