package dev.sluice.workflows.common;

import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each target of the fleet as the deployment knows it: state, version, what it ran before, whether
 * a deploy to it began — and which changed since the ledger last heard.
 */
final class TargetTable {

  private final Map<String, TargetStatus> targets = new LinkedHashMap<>();
  private final Set<String> deployAttempted = new HashSet<>();

  /** Targets changed since the last ledger record: only those travel, so history stays small. */
  private final Set<String> changed = new LinkedHashSet<>();

  TargetTable(List<Target> fleet) {
    for (Target target : fleet) {
      targets.put(
          target.id(), new TargetStatus(target.id(), null, null, TargetState.PENDING, null));
    }
  }

  /**
   * Records what each target ran before.
   *
   * @return the most common of those versions (the service's previous), or null when none is known
   */
  String setPreviousVersions(Map<String, String> versions) {
    Map<String, Integer> counts = new HashMap<>();
    for (TargetStatus t : List.copyOf(targets.values())) {
      String v = versions.get(t.id());
      targets.put(t.id(), new TargetStatus(t.id(), v, v, t.state(), t.detail()));
      changed.add(t.id());
      if (v != null) {
        counts.merge(v, 1, Integer::sum);
      }
    }
    return counts.entrySet().stream()
        .max(
            Comparator.comparingInt(Map.Entry<String, Integer>::getValue)
                .thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  String previousVersion(Target target) {
    return targets.get(target.id()).previousVersion();
  }

  void deployAttempted(Target target) {
    deployAttempted.add(target.id());
  }

  /** Notes that deploys to the targets {@code ids} have begun. */
  void attempted(List<String> ids) {
    deployAttempted.addAll(ids);
  }

  boolean wasDeployAttempted(Target target) {
    return deployAttempted.contains(target.id());
  }

  TargetState state(Target target) {
    return targets.get(target.id()).state();
  }

  /** Targets of {@code fleet}, in fleet order, whose state is {@code wanted}. */
  List<Target> in(List<Target> fleet, TargetState wanted) {
    List<Target> found = new ArrayList<>();
    for (Target target : fleet) {
      if (targets.get(target.id()).state() == wanted) {
        found.add(target);
      }
    }
    return found;
  }

  /** Takes over reported statuses; a target whose version changed counts as deployed. */
  void adopt(List<TargetStatus> reported) {
    for (TargetStatus t : reported) {
      if (targets.containsKey(t.id())) {
        targets.put(t.id(), t);
        changed.add(t.id());
        if (t.version() != null && !t.version().equals(t.previousVersion())) {
          deployAttempted.add(t.id());
        }
      }
    }
  }

  /**
   * Takes over what a parent knows of its targets (a target group's start), without counting them
   * changed: the ledger has them already.
   */
  void know(List<TargetStatus> known, List<String> attempted) {
    for (TargetStatus t : known) {
      if (targets.containsKey(t.id())) {
        targets.put(t.id(), t);
      }
    }
    deployAttempted.addAll(attempted);
  }

  /** The targets of {@code fleet} whose deploy has begun, in fleet order. */
  List<String> deployAttempted(List<Target> fleet) {
    List<String> ids = new ArrayList<>();
    for (Target target : fleet) {
      if (deployAttempted.contains(target.id())) {
        ids.add(target.id());
      }
    }
    return ids;
  }

  /** The statuses of {@code fleet}'s targets, in fleet order. */
  List<TargetStatus> of(List<Target> fleet) {
    List<TargetStatus> statuses = new ArrayList<>();
    for (Target target : fleet) {
      statuses.add(targets.get(target.id()));
    }
    return statuses;
  }

  /** Moves a target to {@code newState}; a {@code null} version keeps the one it has. */
  void move(Target target, TargetState newState, String version, String detail) {
    TargetStatus now = targets.get(target.id());
    TargetStatus next = now.with(newState, version != null ? version : now.version(), detail);
    targets.put(target.id(), next);
    changed.add(target.id());
  }

  /** One sentence naming the failed targets and why. */
  String failureSummary(List<Target> failed) {
    StringBuilder text = new StringBuilder();
    for (Target target : failed) {
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append(target.id()).append(": ").append(targets.get(target.id()).detail());
    }
    return text.toString();
  }

  /** The version every target runs, or null when the fleet is mixed or a version unknown. */
  String commonVersion() {
    String common = null;
    for (TargetStatus t : targets.values()) {
      if (t.version() == null || (common != null && !common.equals(t.version()))) {
        return null;
      }
      common = t.version();
    }
    return common;
  }

  /** Every target, in fleet order. */
  List<TargetStatus> all() {
    return List.copyOf(targets.values());
  }

  /** Marks every target changed, so the next record carries the whole table. */
  void allChanged() {
    changed.addAll(targets.keySet());
  }

  /** The targets changed since the last call, in the order they changed. */
  List<TargetStatus> takeChanged() {
    List<TargetStatus> changedTargets = new ArrayList<>();
    for (String id : changed) {
      changedTargets.add(targets.get(id));
    }
    changed.clear();
    return changedTargets;
  }

  /** Every target back to PENDING for the next attempt, keeping its versions. */
  void resetForRetry() {
    deployAttempted.clear();
    for (TargetStatus t : List.copyOf(targets.values())) {
      targets.put(
          t.id(),
          new TargetStatus(t.id(), t.previousVersion(), t.version(), TargetState.PENDING, null));
      changed.add(t.id());
    }
  }
}
