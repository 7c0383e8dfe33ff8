package dev.sluice.flags.internal;

import dev.sluice.flags.EvaluationContext;
import java.util.Map;

/**
 * A targeting expression in a position whose value names the variant: the top of {@code targeting},
 * the branches of an {@code if} there, the entries of a {@code fractional} there. Compiling these
 * positions separately resolves literal variant names to indices at parse time and tells a split
 * from a match without allocating.
 *
 * <p>{@link #select} answers an outcome code: {@code variantIndex << 1 | splitBit}, or {@link
 * #NO_VARIANT} ({@code null}: the default variant) or {@link #INVALID} (not a variant).
 */
abstract class Rule {
  static final int NO_VARIANT = -1;
  static final int INVALID = -2;
  static final int SPLIT_BIT = 1;

  abstract int select(EvaluationContext ctx);

  static int matched(int variantIndex) {
    return variantIndex << 1;
  }

  /** A literal: a variant name, {@code true}/{@code false}, or {@code null}. */
  static final class Fixed extends Rule {
    static final Fixed NONE = new Fixed(NO_VARIANT);

    private final int code;

    Fixed(int code) {
      this.code = code;
    }

    @Override
    int select(EvaluationContext ctx) {
      return code;
    }
  }

  /** {@code if}: the first true condition's branch, else the else branch. */
  static final class If extends Rule {
    private final Node[] conditions;
    private final Rule[] branches;
    private final Rule otherwise;

    If(Node[] conditions, Rule[] branches, Rule otherwise) {
      this.conditions = conditions;
      this.branches = branches;
      this.otherwise = otherwise;
    }

    @Override
    int select(EvaluationContext ctx) {
      for (int i = 0; i < conditions.length; i++) {
        if (conditions[i].test(ctx)) {
          return branches[i].select(ctx);
        }
      }
      return otherwise.select(ctx);
    }
  }

  /** {@code fractional}: the chosen entry, marked as a split. */
  static final class Split extends Rule {
    private final FractionalSplit split;
    private final Rule[] entries;

    Split(FractionalSplit split, Rule[] entries) {
      this.split = split;
      this.entries = entries;
    }

    @Override
    int select(EvaluationContext ctx) {
      int chosen = split.choose(ctx);
      if (chosen < 0) {
        return NO_VARIANT;
      }
      int code = entries[chosen].select(ctx);
      return code >= 0 ? code | SPLIT_BIT : code;
    }
  }

  /**
   * Any other expression: its value names the variant; {@code true}/{@code false} name the variants
   * "true"/"false" (flagd's boolean shorthand).
   */
  static final class Computed extends Rule {
    private final Node expression;
    private final Map<String, Integer> variantIndex;
    private final int whenTrue;
    private final int whenFalse;
    private final boolean yieldsBoolean;

    Computed(Node expression, Map<String, Integer> variantIndex) {
      this.expression = expression;
      this.yieldsBoolean = expression.yieldsBoolean();
      this.variantIndex = variantIndex;
      this.whenTrue = codeOf(variantIndex, "true");
      this.whenFalse = codeOf(variantIndex, "false");
    }

    @Override
    int select(EvaluationContext ctx) {
      if (yieldsBoolean) {
        return expression.test(ctx) ? whenTrue : whenFalse;
      }
      Object value = expression.eval(ctx);
      if (value == null) {
        return NO_VARIANT;
      }
      if (value instanceof String name) {
        Integer index = variantIndex.get(name);
        return index == null ? INVALID : matched(index);
      }
      if (value instanceof Boolean b) {
        return b ? whenTrue : whenFalse;
      }
      return INVALID;
    }

    private static int codeOf(Map<String, Integer> variantIndex, String name) {
      Integer index = variantIndex.get(name);
      return index == null ? INVALID : matched(index);
    }
  }
}
