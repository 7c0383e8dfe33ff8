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
}
