package dev.sluice.judge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything observed in one interval: one {@link Observation.Pair} per metric, in the order of
 * {@link JudgeSpec#metrics()}. A null pair means the metric's source had no data for the interval.
 */
public record IntervalObservations(List<Observation.Pair> metrics) {
  public IntervalObservations {
    // Nulls stand for missing data, so no List.copyOf (which rejects them).
    metrics = Collections.unmodifiableList(new ArrayList<>(metrics));
  }
}
