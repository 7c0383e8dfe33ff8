package dev.sluice.workflows.rolling;

import dev.sluice.model.RollingOptions;
import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Splits a fleet into rolling batches. Pure: same input, same batches, on every replay. */
final class RollingPlan {

  private RollingPlan() {}

  /**
   * One zone's share of a zone-at-a-time rollout.
   *
   * @param name the zone
   * @param targets its targets, in fleet order
   * @param batchSize its batches' size ({@link RollingOptions#zoneBatchSize})
   */
  record Zone(String name, List<Target> targets, int batchSize) {

    List<List<Target>> batches() {
      return cut(targets, batchSize);
    }
  }

  /**
   * The fleet's zones in the order the fleet first names them, each with its batch size.
   *
   * @throws IllegalArgumentException naming the first of {@link #zoneProblems} (the API refuses
   *     such a deployment before it starts)
   */
  static List<Zone> zones(List<Target> fleet, RollingOptions options) {
    List<String> problems = zoneProblems(fleet, options);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.get(0));
    }
    List<Zone> zones = new ArrayList<>();
    byZone(fleet)
        .forEach(
            (name, targets) ->
                zones.add(
                    new Zone(name, List.copyOf(targets), options.zoneBatchSize(targets.size()))));
    return zones;
  }

  /**
   * Why {@code fleet} cannot roll one zone at a time: each target without a zone, each zone too
   * small to keep {@code minHealthyPerZone} in service while a batch is out.
   */
  static List<String> zoneProblems(List<Target> fleet, RollingOptions options) {
    List<String> problems = new ArrayList<>();
    for (Target target : fleet) {
      if (target.zone() == null) {
        problems.add("target " + target.id() + " has no zone");
      }
    }
    byZone(fleet)
        .forEach(
            (name, targets) -> {
              if (options.zoneBatchSize(targets.size()) < 1) {
                problems.add(
                    "zone "
                        + name
                        + " has "
                        + targets.size()
                        + " targets and must keep "
                        + options.minHealthyIn(targets.size())
                        + " in service: no batch fits");
              }
            });
    return problems;
  }

  private static Map<String, List<Target>> byZone(List<Target> fleet) {
    Map<String, List<Target>> byZone = new LinkedHashMap<>();
    for (Target target : fleet) {
      if (target.zone() != null) {
        byZone.computeIfAbsent(target.zone(), z -> new ArrayList<>()).add(target);
      }
    }
    return byZone;
  }

  /** The fleet in its own order, cut into batches of {@link RollingOptions#effectiveBatchSize}. */
  static List<List<Target>> batches(List<Target> fleet, RollingOptions options) {
    return cut(fleet, options.effectiveBatchSize(fleet.size()));
  }

  private static List<List<Target>> cut(List<Target> targets, int size) {
    List<List<Target>> batches = new ArrayList<>();
    for (int i = 0; i < targets.size(); i += size) {
      batches.add(List.copyOf(targets.subList(i, Math.min(targets.size(), i + size))));
    }
    return batches;
  }
}
