package dev.sluice.api.services;

import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.TargetSpec;
import dev.sluice.model.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fleet block from the wire, or the targets a fleet source resolved to: each target checked,
 * ids and addresses unique.
 */
final class FleetSpecs {

  private FleetSpecs() {}

  /** Target ids are router server names too: HAProxy accepts letters, digits and {@code -_.:}. */
  static final Pattern TARGET_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** A failure domain's name: an availability zone ({@code eu-west-1a}), a rack. */
  static final Pattern ZONE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  static List<Target> fleet(List<TargetSpec> specs, Problems problems) {
    if (specs == null || specs.isEmpty()) {
      problems.add("fleet", "must list at least one target (or give a fleetSource instead)");
      return new ArrayList<>();
    }
    return fleet("fleet", specs, problems);
  }

  /**
   * The targets a fleet source resolved to, held to the rules of a listed fleet; problems are named
   * {@code field[i].id} and so on, in the order the source gave them.
   */
  static List<Target> resolved(String field, List<Target> targets, Problems problems) {
    return fleet(
        field,
        targets.stream()
            .map(t -> new TargetSpec(t.id(), t.host(), t.port(), t.pool(), t.zone()))
            .toList(),
        problems);
  }

  private static List<Target> fleet(String field, List<TargetSpec> specs, Problems problems) {
    List<Target> fleet = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      String at = field + "[" + i + "]";
      TargetSpec t = specs.get(i);
      if (t == null) {
        problems.add(at, "must be an object");
        continue;
      }
      boolean ok = true;
      if (t.id() == null || !TARGET_ID.matcher(t.id()).matches()) {
        problems.add(at + ".id", "must match " + TARGET_ID.pattern());
        ok = false;
      } else if (!ids.add(t.id())) {
        problems.add(at + ".id", "duplicate target id \"" + t.id() + "\"");
        ok = false;
      }
      if (t.host() == null || t.host().isBlank()) {
        problems.add(at + ".host", "is required");
        ok = false;
      } else if (t.host().length() > 253) {
        problems.add(at + ".host", "must be at most 253 characters (a DNS name or an address)");
        ok = false;
      }
      if (t.port() == null || t.port() < 1 || t.port() > 65535) {
        problems.add(at + ".port", "must be between 1 and 65535");
        ok = false;
      }
      if (t.zone() != null && !ZONE.matcher(t.zone()).matches()) {
        problems.add(at + ".zone", "must match " + ZONE.pattern());
        ok = false;
      }
      if (ok && !addresses.add(t.host() + ":" + t.port())) {
        problems.add(at, "another target already uses " + t.host() + ":" + t.port());
      }
      if (ok) {
        fleet.add(new Target(t.id(), t.host(), t.port(), t.pool(), t.zone()));
      }
    }
    return fleet;
  }
}
