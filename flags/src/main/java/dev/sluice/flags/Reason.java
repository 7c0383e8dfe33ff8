package dev.sluice.flags;

/** Why an evaluation resolved the way it did; the values of OpenFeature's {@code Reason}. */
public enum Reason {
  /** The flag has no targeting: the default variant, the same for every context. */
  STATIC,
  /** Targeting chose a variant. */
  TARGETING_MATCH,
  /** A {@code fractional} split chose the variant (a pseudo-random, sticky bucket). */
  SPLIT,
  /**
   * Targeting returned {@code null} (or {@code fractional} could not bucket the context): the
   * default variant, or the caller's code default when the flag has no {@code defaultVariant}.
   */
  DEFAULT,
  /** The flag's state is {@code DISABLED}: the caller's code default applies. */
  DISABLED,
  /** The evaluation failed; {@link EvaluationResult#errorCode()} says why. */
  ERROR
}
