package dev.sluice.flags.internal;

import dev.sluice.flags.EvaluationContext;

/**
 * A compiled JsonLogic expression. Trees are built once, when a flag definition is parsed, and are
 * immutable and thread-safe; evaluating reads the context and allocates nothing unless the
 * operation itself produces a new value ({@code cat}, array literals with expressions).
 */
abstract class Node {

  /** The expression's value: {@code null}, String, Double, Boolean, Map or List. */
  abstract Object eval(EvaluationContext ctx);

  /** The value's JsonLogic truthiness; boolean operations answer without boxing. */
  boolean test(EvaluationContext ctx) {
    return JsValues.truthy(eval(ctx));
  }

  /** Whether {@link #eval} always yields a {@code Boolean}. */
  boolean yieldsBoolean() {
    return false;
  }

  /** Base for operations whose value is always a boolean: they implement {@link #test}. */
  abstract static class BooleanNode extends Node {
    @Override
    final Object eval(EvaluationContext ctx) {
      return test(ctx) ? Boolean.TRUE : Boolean.FALSE;
    }

    @Override
    abstract boolean test(EvaluationContext ctx);

    @Override
    final boolean yieldsBoolean() {
      return true;
    }
  }

  /**
   * Base for flagd's custom operations ({@code sem_ver}, {@code starts_with}, {@code ends_with}): a
   * boolean when they can decide, {@code null} when their input is not what they compare (flagd
   * logs and answers {@code null}, so targeting falls through to the default variant instead of
   * naming a "false" variant). They implement {@link #check}, which answers without boxing.
   */
  abstract static class NullableBooleanNode extends Node {
    static final int NULL = -1;
    static final int FALSE = 0;
    static final int TRUE = 1;

    /** {@link #TRUE}, {@link #FALSE} or {@link #NULL}. */
    abstract int check(EvaluationContext ctx);

    @Override
    final Object eval(EvaluationContext ctx) {
      int c = check(ctx);
      return c == NULL ? null : (c == TRUE ? Boolean.TRUE : Boolean.FALSE);
    }

    @Override
    final boolean test(EvaluationContext ctx) {
      return check(ctx) == TRUE;
    }
  }
}
