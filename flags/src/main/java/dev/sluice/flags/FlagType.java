package dev.sluice.flags;

/** The type shared by all variants of one flag. */
public enum FlagType {
  BOOLEAN,
  STRING,
  /** JSON numbers, held as {@code Double}; readable as {@code Integer} when integral. */
  NUMBER,
  /** JSON objects, held as unmodifiable {@code Map<String, Object>}. */
  OBJECT
}
