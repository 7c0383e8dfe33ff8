package dev.sluice.flags.internal;

import dev.sluice.flags.ErrorCode;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagType;
import dev.sluice.flags.Reason;
import java.util.Map;

/**
 * One flag, compiled: its variants, its targeting as a {@link Rule}, and every successful outcome
 * precomputed as a shared {@link EvaluationResult}, so that evaluating allocates nothing beyond
 * what the targeting's operations themselves need.
 */
public final class CompiledFlag {

  private final String key;
  private final boolean enabled;
  private final FlagType type;
  private final Rule rule; // null: no targeting
  private final Map<String, Object> metadata;
  private final Outcomes outcomes;
  private final Outcomes integerOutcomes; // NUMBER flags read as Integer
  private final EvaluationResult<?> disabled;

  CompiledFlag(
      String key,
      boolean enabled,
      FlagType type,
      String[] variantNames,
      Object[] values,
      int defaultIndex,
      Rule rule,
      Map<String, Object> metadata) {
    this.key = key;
    this.enabled = enabled;
    this.type = type;
    this.rule = rule;
    this.metadata = metadata;
    this.outcomes = new Outcomes(key, variantNames, values, defaultIndex, metadata);
    this.integerOutcomes =
        type == FlagType.NUMBER
            ? new Outcomes(key, variantNames, asIntegers(values), defaultIndex, metadata)
            : null;
    this.disabled = new EvaluationResult<>(null, null, Reason.DISABLED, null, null, metadata);
  }

  public String key() {
    return key;
  }

  public FlagType type() {
    return type;
  }

  public boolean enabled() {
    return enabled;
  }

  /** Evaluates the flag for {@code ctx}, never throwing. */
  @SuppressWarnings("unchecked")
  public <T> EvaluationResult<T> evaluate(Class<T> expected, EvaluationContext ctx) {
    if (!enabled) {
      return (EvaluationResult<T>) disabled;
    }
    Outcomes o = outcomesFor(expected);
    if (o == null) {
      return new EvaluationResult<>(
          null,
          null,
          Reason.ERROR,
          ErrorCode.TYPE_MISMATCH,
          "flag '" + key + "' is " + type + ", not " + expected.getSimpleName(),
          metadata);
    }
    if (rule == null) {
      return (EvaluationResult<T>) o.statik;
    }
    int code;
    try {
      code = rule.select(ctx);
    } catch (RuntimeException e) {
      return new EvaluationResult<>(
          null,
          null,
          Reason.ERROR,
          ErrorCode.GENERAL,
          "evaluating flag '" + key + "' failed: " + e,
          metadata);
    }
    if (code == Rule.NO_VARIANT) {
      return (EvaluationResult<T>) o.fallThrough;
    }
    if (code < 0) {
      return (EvaluationResult<T>) o.invalid;
    }
    int index = code >>> 1;
    return (EvaluationResult<T>) ((code & Rule.SPLIT_BIT) != 0 ? o.split[index] : o.match[index]);
  }

  private Outcomes outcomesFor(Class<?> expected) {
    if (expected == Object.class) {
      return outcomes;
    }
    switch (type) {
      case BOOLEAN:
        return expected == Boolean.class ? outcomes : null;
      case STRING:
        return expected == String.class || expected == CharSequence.class ? outcomes : null;
      case NUMBER:
        if (expected == Double.class || expected == Number.class) {
          return outcomes;
        }
        return expected == Integer.class ? integerOutcomes : null;
      default:
        return expected == Map.class ? outcomes : null;
    }
  }

  /** Integral doubles as Integers; anything else as a marker that becomes a type mismatch. */
  private static Object[] asIntegers(Object[] values) {
    Object[] out = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      double d = (Double) values[i];
      out[i] =
          d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE
              ? Integer.valueOf((int) d)
              : NOT_AN_INTEGER;
    }
    return out;
  }

  private static final Object NOT_AN_INTEGER = new Object();

  /** The shared results of one flag read as one Java type. */
  private static final class Outcomes {
    final EvaluationResult<?>[] match;
    final EvaluationResult<?>[] split;
    final EvaluationResult<?> statik;
    final EvaluationResult<?> fallThrough;
    final EvaluationResult<?> invalid;

    Outcomes(
        String key,
        String[] names,
        Object[] values,
        int defaultIndex,
        Map<String, Object> metadata) {
      match = new EvaluationResult<?>[names.length];
      split = new EvaluationResult<?>[names.length];
      for (int i = 0; i < names.length; i++) {
        match[i] = result(key, names[i], values[i], Reason.TARGETING_MATCH, metadata);
        split[i] = result(key, names[i], values[i], Reason.SPLIT, metadata);
      }
      if (defaultIndex >= 0) {
        statik = result(key, names[defaultIndex], values[defaultIndex], Reason.STATIC, metadata);
        fallThrough =
            result(key, names[defaultIndex], values[defaultIndex], Reason.DEFAULT, metadata);
      } else {
        // No defaultVariant: the caller's code default, reason DEFAULT (as flagd documents).
        statik = new EvaluationResult<>(null, null, Reason.DEFAULT, null, null, metadata);
        fallThrough = statik;
      }
      invalid =
          new EvaluationResult<>(
              null,
              null,
              Reason.ERROR,
              ErrorCode.PARSE_ERROR,
              "targeting of flag '" + key + "' returned a value that names no variant",
              metadata);
    }

    private static EvaluationResult<?> result(
        String key, String name, Object value, Reason reason, Map<String, Object> metadata) {
      if (value == NOT_AN_INTEGER) {
        return new EvaluationResult<>(
            null,
            name,
            Reason.ERROR,
            ErrorCode.TYPE_MISMATCH,
            "variant '" + name + "' of flag '" + key + "' is not an integer",
            metadata);
      }
      return new EvaluationResult<>(value, name, reason, null, null, metadata);
    }
  }
}
