package dev.sluice.flags.internal;

import dev.sluice.flags.EvaluationContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** The compiled JsonLogic operations. */
final class Nodes {

  private Nodes() {}

  /** A literal. */
  static final class Const extends Node {
    static final Const NULL = new Const(null);

    final Object value;

    Const(Object value) {
      this.value = value;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      return value;
    }

    @Override
    boolean yieldsBoolean() {
      return value instanceof Boolean;
    }
  }

  /** An array literal with expressions inside: a new list per evaluation. */
  static final class ArrayLiteral extends Node {
    private final Node[] items;

    ArrayLiteral(Node[] items) {
      this.items = items;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      List<Object> out = new ArrayList<>(items.length);
      for (Node item : items) {
        out.add(item.eval(ctx));
      }
      return Collections.unmodifiableList(out);
    }
  }

  /** {@code var} with a literal path, split at compile time. */
  static final class Var extends Node {
    private final String[] segments;
    private final int[] indices; // list index per segment, -1 when not numeric
    private final Node fallback;

    Var(String[] segments, Node fallback) {
      this.segments = segments;
      this.indices = new int[segments.length];
      for (int i = 0; i < segments.length; i++) {
        indices[i] = listIndex(segments[i]);
      }
      this.fallback = fallback;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      Object current = ctx.get(segments[0]);
      if (segments.length == 1 && current != null) {
        return current; // the usual {"var": "email"}
      }
      for (int i = 1; i < segments.length && current != null; i++) {
        current = step(current, segments[i], indices[i]);
      }
      return current != null ? current : (fallback == null ? null : fallback.eval(ctx));
    }
  }

  /** {@code var} with a computed path (rare): split per evaluation. */
  static final class DynamicVar extends Node {
    private final Node path;
    private final Node fallback;

    DynamicVar(Node path, Node fallback) {
      this.path = path;
      this.fallback = fallback;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      Object p = path.eval(ctx);
      Object current;
      if (p == null || "".equals(p)) {
        current = ctx.asMap();
      } else {
        String[] segments = JsValues.toJsString(p).split("\\.", -1);
        current = ctx.get(segments[0]);
        for (int i = 1; i < segments.length && current != null; i++) {
          current = step(current, segments[i], listIndex(segments[i]));
        }
      }
      return current != null ? current : (fallback == null ? null : fallback.eval(ctx));
    }
  }

  /** {@code {"var": ""}}: the whole context. */
  static final class WholeContext extends Node {
    @Override
    Object eval(EvaluationContext ctx) {
      return ctx.asMap();
    }
  }

  private static Object step(Object current, String segment, int index) {
    if (current instanceof Map<?, ?> map) {
      return map.get(segment);
    }
    if (current instanceof List<?> list) {
      return index >= 0 && index < list.size() ? list.get(index) : null;
    }
    return null;
  }

  private static int listIndex(String segment) {
    if (segment.isEmpty() || segment.length() > 9) {
      return -1;
    }
    for (int i = 0; i < segment.length(); i++) {
      if (segment.charAt(i) < '0' || segment.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(segment);
  }

  /** {@code $flagd.timestamp}: Unix seconds at evaluation, boxed at most once a second. */
  static final class FlagdTimestamp extends Node {
    private final LongSupplier epochSeconds;
    private volatile Double last = -1.0;

    FlagdTimestamp(LongSupplier epochSeconds) {
      this.epochSeconds = epochSeconds;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      long now = epochSeconds.getAsLong();
      Double cached = last;
      if (cached.longValue() != now) {
        cached = (double) now;
        last = cached;
      }
      return cached;
    }
  }

  /** {@code {"var": "$flagd"}}: the flagd properties as an object. */
  static final class FlagdProperties extends Node {
    private final String flagKey;
    private final FlagdTimestamp timestamp;

    FlagdProperties(String flagKey, FlagdTimestamp timestamp) {
      this.flagKey = flagKey;
      this.timestamp = timestamp;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("flagKey", flagKey);
      props.put("timestamp", timestamp.eval(ctx));
      return Collections.unmodifiableMap(props);
    }
  }

  /** {@code if} (and {@code ?:}) outside a variant position: condition/value pairs, then else. */
  static final class If extends Node {
    private final Node[] conditions;
    private final Node[] values;
    private final Node otherwise;

    If(Node[] conditions, Node[] values, Node otherwise) {
      this.conditions = conditions;
      this.values = values;
      this.otherwise = otherwise;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      for (int i = 0; i < conditions.length; i++) {
        if (conditions[i].test(ctx)) {
          return values[i].eval(ctx);
        }
      }
      return otherwise.eval(ctx);
    }
  }

  /** {@code ==}, {@code !=}, {@code ===}, {@code !==}. */
  static final class Equals extends Node.BooleanNode {
    private final Node left;
    private final Node right;
    private final boolean strict;
    private final boolean negate;

    Equals(Node left, Node right, boolean strict, boolean negate) {
      this.left = left;
      this.right = right;
      this.strict = strict;
      this.negate = negate;
    }

    @Override
    boolean test(EvaluationContext ctx) {
      Object a = left.eval(ctx);
      Object b = right.eval(ctx);
      return negate ^ (strict ? JsValues.strictEquals(a, b) : JsValues.looseEquals(a, b));
    }
  }

  /** {@code !} and {@code !!}. */
  static final class Truthiness extends Node.BooleanNode {
    private final Node operand;
    private final boolean negate;

    Truthiness(Node operand, boolean negate) {
      this.operand = operand;
      this.negate = negate;
    }

    @Override
    boolean test(EvaluationContext ctx) {
      return negate ^ operand.test(ctx);
    }
  }

  /** {@code and}: the first falsy operand, else the last. */
  static final class And extends Node {
    private final Node[] operands;

    And(Node[] operands) {
      this.operands = operands;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      Object value = null;
      for (Node operand : operands) {
        value = operand.eval(ctx);
        if (!JsValues.truthy(value)) {
          return value;
        }
      }
      return value;
    }

    @Override
    boolean test(EvaluationContext ctx) {
      for (Node operand : operands) {
        if (!operand.test(ctx)) {
          return false;
        }
      }
      return operands.length > 0;
    }

    @Override
    boolean yieldsBoolean() {
      for (Node operand : operands) {
        if (!operand.yieldsBoolean()) {
          return false;
        }
      }
      return operands.length > 0;
    }
  }

  /** {@code or}: the first truthy operand, else the last. */
  static final class Or extends Node {
    private final Node[] operands;

    Or(Node[] operands) {
      this.operands = operands;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      Object value = null;
      for (Node operand : operands) {
        value = operand.eval(ctx);
        if (JsValues.truthy(value)) {
          return value;
        }
      }
      return value;
    }

    @Override
    boolean test(EvaluationContext ctx) {
      for (Node operand : operands) {
        if (operand.test(ctx)) {
          return true;
        }
      }
      return false;
    }

    @Override
    boolean yieldsBoolean() {
      for (Node operand : operands) {
        if (!operand.yieldsBoolean()) {
          return false;
        }
      }
      return operands.length > 0;
    }
  }

  /** {@code <}, {@code <=}, {@code >}, {@code >=}; the first two also as 3-argument "between". */
  static final class Compare extends Node.BooleanNode {
    enum Op {
      LT,
      LE,
      GT,
      GE
    }

    private final Op op;
    private final Node first;
    private final Node second;
    private final Node third; // null unless "between"

    Compare(Op op, Node first, Node second, Node third) {
      this.op = op;
      this.first = first;
      this.second = second;
      this.third = third;
    }

    @Override
    boolean test(EvaluationContext ctx) {
      Object a = first.eval(ctx);
      Object b = second.eval(ctx);
      if (!holds(JsValues.compare(a, b))) {
        return false;
      }
      return third == null || holds(JsValues.compare(b, third.eval(ctx)));
    }

    private boolean holds(int c) {
      if (c == JsValues.UNORDERED) {
        return false;
      }
      switch (op) {
        case LT:
          return c < 0;
        case LE:
          return c <= 0;
        case GT:
          return c > 0;
        default:
          return c >= 0;
      }
    }
  }

  /**
   * {@code in} against a literal list: hashed strings, strict equality as JavaScript's indexOf. The
   * strings are a HashSet, never changed after compiling: it finds its bucket with a mask where
   * {@code Set.copyOf}'s table divides.
   */
  static final class InList extends Node.BooleanNode {
    private final Node needle;
    private final HashSet<String> strings;
    private final double[] numbers;
    private final boolean hasTrue;
    private final boolean hasFalse;
    private final boolean hasNull;

    InList(
        Node needle,
        HashSet<String> strings,
        double[] numbers,
        boolean hasTrue,
        boolean hasFalse,
        boolean hasNull) {
      this.needle = needle;
      this.strings = strings;
      this.numbers = numbers;
      this.hasTrue = hasTrue;
      this.hasFalse = hasFalse;
      this.hasNull = hasNull;
    }

    @Override
    boolean test(EvaluationContext ctx) {
      Object value = needle.eval(ctx);
      if (value instanceof String s) {
        return strings.contains(s);
      }
      if (value instanceof Double d) {
        for (double n : numbers) {
          if (n == d) {
            return true;
          }
        }
        return false;
      }
      if (value instanceof Boolean b) {
        return b ? hasTrue : hasFalse;
      }
      return value == null && hasNull;
    }
  }

  /** {@code in} with a computed haystack: substring of a string, or member of a list. */
  static final class In extends Node.BooleanNode {
    private final Node needle;
    private final Node haystack;

    In(Node needle, Node haystack) {
      this.needle = needle;
      this.haystack = haystack;
    }

    @Override
    boolean test(EvaluationContext ctx) {
      Object value = needle.eval(ctx);
      Object in = haystack.eval(ctx);
      if (in instanceof String s) {
        return s.contains(value == null ? "null" : JsValues.toJsString(value));
      }
      if (in instanceof List<?> list) {
        for (Object element : list) {
          if (JsValues.strictEquals(value, element)) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /** {@code cat}: the operands' string forms, concatenated. */
  static final class Cat extends Node {
    private final Node[] operands;

    Cat(Node[] operands) {
      this.operands = operands;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      StringBuilder out = new StringBuilder();
      for (Node operand : operands) {
        out.append(JsValues.toJsString(operand.eval(ctx)));
      }
      return out.toString();
    }
  }

  /**
   * flagd's {@code starts_with} and {@code ends_with}: {@code null} unless both sides are strings
   * (flagd's operator logs the bad input and answers {@code null}).
   */
  static final class StringAffix extends Node.NullableBooleanNode {
    private final Node value;
    private final Node affix;
    private final boolean suffix;

    StringAffix(Node value, Node affix, boolean suffix) {
      this.value = value;
      this.affix = affix;
      this.suffix = suffix;
    }

    @Override
    int check(EvaluationContext ctx) {
      if (value.eval(ctx) instanceof String s && affix.eval(ctx) instanceof String a) {
        return (suffix ? s.endsWith(a) : s.startsWith(a)) ? TRUE : FALSE;
      }
      return NULL;
    }
  }

  /**
   * flagd's {@code sem_ver}: {@code null} when either side names no version (see {@link SemVer#of})
   * or a computed operator is none of flagd's.
   */
  static final class SemVerCompare extends Node.NullableBooleanNode {
    enum Op {
      EQ("="),
      NE("!="),
      LT("<"),
      LE("<="),
      GT(">"),
      GE(">="),
      SAME_MAJOR("^"),
      SAME_MINOR("~");

      private static final Op[] ALL = values();

      final String symbol;

      Op(String symbol) {
        this.symbol = symbol;
      }

      /** The operator written {@code symbol}, or {@code null}. */
      static Op of(Object symbol) {
        for (Op op : ALL) {
          if (op.symbol.equals(symbol)) {
            return op;
          }
        }
        return null;
      }
    }

    private final Node actual;
    private final Op op; // null: computed by opNode
    private final Node opNode;
    private final Node target;
    private final SemVer literalTarget; // parsed once when the target is a literal

    SemVerCompare(Node actual, Op op, Node opNode, Node target, SemVer literalTarget) {
      this.actual = actual;
      this.op = op;
      this.opNode = opNode;
      this.target = target;
      this.literalTarget = literalTarget;
    }

    @Override
    int check(EvaluationContext ctx) {
      SemVer a = SemVer.of(actual.eval(ctx));
      Op o = op != null ? op : Op.of(opNode.eval(ctx));
      SemVer b = literalTarget != null ? literalTarget : SemVer.of(target.eval(ctx));
      if (a == null || b == null || o == null) {
        return NULL;
      }
      return holds(o, a, b) ? TRUE : FALSE;
    }

    private static boolean holds(Op op, SemVer a, SemVer b) {
      switch (op) {
        case EQ:
          return a.compareTo(b) == 0;
        case NE:
          return a.compareTo(b) != 0;
        case LT:
          return a.compareTo(b) < 0;
        case LE:
          return a.compareTo(b) <= 0;
        case GT:
          return a.compareTo(b) > 0;
        case GE:
          return a.compareTo(b) >= 0;
        case SAME_MAJOR:
          return a.sameMajor(b);
        default:
          return a.sameMinor(b);
      }
    }
  }

  /** {@code fractional} outside a variant position: the chosen entry's value. */
  static final class Fractional extends Node {
    private final FractionalSplit split;
    private final Node[] variants;

    Fractional(FractionalSplit split, Node[] variants) {
      this.split = split;
      this.variants = variants;
    }

    @Override
    Object eval(EvaluationContext ctx) {
      int chosen = split.choose(ctx);
      return chosen < 0 ? null : variants[chosen].eval(ctx);
    }
  }
}
