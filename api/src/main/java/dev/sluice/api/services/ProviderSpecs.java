package dev.sluice.api.services;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.ProviderSpec;
import dev.sluice.model.ProviderRef;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An adapter block ({@code type} and {@code settings}) from the wire, checked, and back. */
final class ProviderSpecs {

  private ProviderSpecs() {}

  static ProviderRef provider(
      String field, ProviderSpec spec, Set<String> known, Problems problems) {
    if (spec == null || spec.type() == null) {
      problems.add(field + ".type", "is required; known types: " + known);
      return null;
    }
    if (!known.contains(spec.type())) {
      problems.add(field + ".type", "unknown type \"" + spec.type() + "\"; known types: " + known);
      return null;
    }
    if (spec.settings() != null) {
      for (var e : spec.settings().entrySet()) {
        if (e.getValue() == null) {
          problems.add(field + ".settings." + e.getKey(), "must not be null; leave it out instead");
          return null;
        }
      }
    }
    return new ProviderRef(spec.type(), spec.settings());
  }

  static void check(
      String field, ProviderRef ref, Function<ProviderRef, ?> build, Problems problems) {
    if (ref == null) {
      return;
    }
    try {
      build.apply(ref);
    } catch (ConfigurationException e) {
      problems.add(field, e.getMessage());
    }
  }

  /**
   * {@link #check}, naming the setting the adapter's message names ({@code setting 'port'}, {@code
   * unknown settings [key]}) as {@code field.port}; {@code field} alone when it names none.
   */
  static void checkSettings(
      String field, ProviderRef ref, Function<ProviderRef, ?> build, Problems problems) {
    if (ref == null) {
      return;
    }
    try {
      build.apply(ref);
    } catch (ConfigurationException e) {
      Matcher named = SETTING_NAMED.matcher(String.valueOf(e.getMessage()));
      problems.add(named.find() ? field + "." + named.group(1) : field, e.getMessage());
    }
  }

  /** How adapters name a setting in their messages ({@code Settings}' own words). */
  private static final Pattern SETTING_NAMED =
      Pattern.compile("(?:setting '|unknown settings \\[)([A-Za-z0-9_.-]+)");

  static ProviderSpec spec(ProviderRef ref) {
    return ref == null ? null : new ProviderSpec(ref.type(), ref.settings());
  }
}
