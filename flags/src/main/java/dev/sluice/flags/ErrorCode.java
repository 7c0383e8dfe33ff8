package dev.sluice.flags;

/**
 * Why an evaluation failed; the values of OpenFeature's {@code ErrorCode} that this engine uses.
 */
public enum ErrorCode {
  /** No flag with that key in the document. */
  FLAG_NOT_FOUND,
  /** The caller asked for a type the flag's variants are not. */
  TYPE_MISMATCH,
  /**
   * Reserved for OpenFeature parity and never produced: flagd resolves a {@code fractional} without
   * a bucketing value and without a targeting key to the default variant (reason {@link
   * Reason#DEFAULT}), and so does this engine.
   */
  TARGETING_KEY_MISSING,
  /**
   * Targeting returned something that names no variant (a number, an unknown variant name). flagd's
   * evaluator reports this case as a parse error too.
   */
  PARSE_ERROR,
  /** Anything else; a bug in the engine, never an expected outcome. */
  GENERAL
}
