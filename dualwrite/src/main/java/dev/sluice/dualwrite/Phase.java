package dev.sluice.dualwrite;

import java.util.Locale;

/**
 * The dual-write phases, in order. The migration's flag serves one of these as a string variant
 * ({@link #variant()}); the workflow moves it forward one phase at a time.
 */
public enum Phase {
  /** Before the migration: the old store only. */
  OLD_ONLY,
  /** Phase 1: write both (the old one first, it is the truth), read the old one. */
  DUAL_WRITE,
  /** Phase 2: as 1, and every read also reads the new store, compared off the request path. */
  SHADOW_READ,
  /** Phase 3: read the new store; write both (the new one first), still comparing reads. */
  READ_NEW,
  /** Phase 4, cleanup: the new store only. */
  NEW_ONLY;

  /** The flag variant naming this phase: {@code old-only}, {@code dual-write}, … */
  public String variant() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The phase a variant names, or null. */
  public static Phase ofVariant(String variant) {
    for (Phase p : values()) {
      if (p.variant().equals(variant)) {
        return p;
      }
    }
    return null;
  }

  boolean writesOld() {
    return this != NEW_ONLY;
  }

  boolean writesNew() {
    return this != OLD_ONLY;
  }

  boolean readsNew() {
    return this == READ_NEW || this == NEW_ONLY;
  }

  boolean compares() {
    return this == SHADOW_READ || this == READ_NEW;
  }
}
