package dev.sluice.workflows.activities;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/** Reads the dual-write repository's counters from the application's instances. */
@ActivityInterface(namePrefix = "DualWrite")
public interface DualWriteActivities {

  /**
   * The sums over every instance of {@code sluice_dualwrite_reads_compared_total} and {@code
   * sluice_dualwrite_mismatches_total} labelled {@code migration="<name>"}.
   */
  Counters counters(String name, List<String> metricsUrls);

  /**
   * @param compared reads compared, summed over the instances that answered
   * @param mismatches of those, the ones that differed
   * @param unreachable instances that did not answer
   */
  record Counters(long compared, long mismatches, int unreachable) {}
}
