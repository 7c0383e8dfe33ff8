package dev.sluice.flags.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.FlagDefinitionException.Problem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Compiles one flag's {@code targeting} (JsonLogic with flagd's operators) into {@link Rule} and
 * {@link Node} trees, substituting {@code {"$ref": name}} with the named {@code $evaluators} entry
 * and reporting every problem with its JSON path instead of stopping at the first.
 *
 * <p>Two kinds of report: <em>problems</em>, which flagd's evaluator fails on as well (an unknown
 * operator, a {@code $ref} to no evaluator: {@code PARSE_ERROR} at evaluation), and
 * <em>warnings</em>, inputs flagd accepts and answers in a defined way at evaluation (a {@code
 * sem_ver} with an unknown operator or a literal that is no version, {@code starts_with} with one
 * argument, fractional weights that sum to 0 or are negative, a variant name that is not among the
 * flag's variants). For a warning the compiled tree does what flagd does, so a document loaded
 * leniently serves the flag; a person writing a flag gets both kinds as errors.
 */
final class TargetingCompiler {

  /** The end of a warning about an input on which flagd's operator answers {@code null}. */
  private static final String YIELDS_NULL =
      ": flagd answers null there, so the flag resolves to its default variant";

  private final String flagKey;
  private final Map<String, Integer> variantIndex;
  private final Map<String, JsonNode> evaluators;
  private final LongSupplier epochSeconds;
  private final Collection<Problem> problems;
  private final Collection<Problem> warnings;
  private final Deque<String> refs = new ArrayDeque<>();
  private Nodes.FlagdTimestamp timestamp;

  TargetingCompiler(
      String flagKey,
      Map<String, Integer> variantIndex,
      Map<String, JsonNode> evaluators,
      LongSupplier epochSeconds,
      Collection<Problem> problems,
      Collection<Problem> warnings) {
    this.flagKey = flagKey;
    this.variantIndex = variantIndex;
    this.evaluators = evaluators;
    this.epochSeconds = epochSeconds;
    this.problems = problems;
    this.warnings = warnings;
  }

  // ---- variant positions ----

  /** Compiles an expression whose value names the flag's variant. */
  Rule compileRule(JsonNode node, String path) {
    String ref = refName(node, path);
    if (ref != null) {
      JsonNode target = enterRef(ref, path);
      if (target == null) {
        return Rule.Fixed.NONE;
      }
      try {
        return compileRule(target, "$evaluators." + ref);
      } finally {
        refs.pop();
      }
    }
    if (node.isTextual()) {
      return fixedVariant(node.textValue(), path);
    }
    if (node.isBoolean()) {
      return fixedVariant(String.valueOf(node.booleanValue()), path);
    }
    if (node.isNull()) {
      return Rule.Fixed.NONE;
    }
    if (!node.isObject() || node.size() != 1) {
      if (node.isObject() && node.size() > 1) {
        return new Rule.Computed(compileNode(node, path), variantIndex); // reports the problem
      }
      warn(path, "targeting returns the constant " + node + ", which cannot name a variant");
      return new Rule.Fixed(Rule.INVALID);
    }
    String op = node.fieldNames().next();
    JsonNode argsNode = node.get(op);
    String opPath = join(path, op);
    switch (op) {
      case "if", "?:":
        {
          List<JsonNode> args = args(argsNode);
          int pairs = args.size() / 2;
          Node[] conditions = new Node[pairs];
          Rule[] branches = new Rule[pairs];
          for (int i = 0; i < pairs; i++) {
            conditions[i] = compileNode(args.get(2 * i), argPath(argsNode, opPath, 2 * i));
            branches[i] = compileRule(args.get(2 * i + 1), argPath(argsNode, opPath, 2 * i + 1));
          }
          Rule otherwise =
              args.size() % 2 == 1
                  ? compileRule(
                      args.get(args.size() - 1), argPath(argsNode, opPath, args.size() - 1))
                  : Rule.Fixed.NONE;
          return new Rule.If(conditions, branches, otherwise);
        }
      case "fractional":
        {
          FractionalParts parts = fractional(argsNode, opPath);
          Rule[] entries = new Rule[parts.entries.size()];
          for (int i = 0; i < entries.length; i++) {
            entries[i] = compileRule(parts.entries.get(i), parts.entryPaths.get(i));
          }
          return parts.split == null ? Rule.Fixed.NONE : new Rule.Split(parts.split, entries);
        }
      default:
        {
          Node expression = compileNode(node, path);
          if (expression.yieldsBoolean() || expression instanceof Node.NullableBooleanNode) {
            for (String name : List.of("true", "false")) {
              if (!variantIndex.containsKey(name)) {
                warn(
                    path,
                    "targeting returns a boolean here, but flag '"
                        + flagKey
                        + "' has no variant named \""
                        + name
                        + "\"");
              }
            }
          }
          return new Rule.Computed(expression, variantIndex);
        }
    }
  }

  private Rule fixedVariant(String name, String path) {
    Integer index = variantIndex.get(name);
    if (index == null) {
      warn(
          path,
          "targeting returns \""
              + name
              + "\", which is not a variant of flag '"
              + flagKey
              + "' (variants: "
              + String.join(", ", variantIndex.keySet())
              + ")");
      return new Rule.Fixed(Rule.INVALID);
    }
    return new Rule.Fixed(Rule.matched(index));
  }

  // ---- value positions ----

  /** Compiles a JsonLogic expression. */
  Node compileNode(JsonNode node, String path) {
    String ref = refName(node, path);
    if (ref != null) {
      JsonNode target = enterRef(ref, path);
      if (target == null) {
        return Nodes.Const.NULL;
      }
      try {
        return compileNode(target, "$evaluators." + ref);
      } finally {
        refs.pop();
      }
    }
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Nodes.Const.NULL;
    }
    if (node.isValueNode()) {
      return new Nodes.Const(JsonTrees.toValue(node));
    }
    if (node.isArray()) {
      Node[] items = new Node[node.size()];
      boolean allConstant = true;
      for (int i = 0; i < items.length; i++) {
        items[i] = compileNode(node.get(i), path + "[" + i + "]");
        allConstant &= items[i] instanceof Nodes.Const;
      }
      return allConstant ? new Nodes.Const(JsonTrees.toValue(node)) : new Nodes.ArrayLiteral(items);
    }
    if (node.isEmpty()) {
      return new Nodes.Const(JsonTrees.toValue(node));
    }
    if (node.size() > 1) {
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      problem(path, "an operation is an object with exactly one key (the operator); found " + keys);
      return Nodes.Const.NULL;
    }
    String op = node.fieldNames().next();
    return operation(op, node.get(op), join(path, op));
  }

  private Node operation(String op, JsonNode argsNode, String opPath) {
    List<JsonNode> args = args(argsNode);
    switch (op) {
      case "var":
        return variable(argsNode, opPath);
      case "if", "?:":
        {
          int pairs = args.size() / 2;
          Node[] conditions = new Node[pairs];
          Node[] values = new Node[pairs];
          for (int i = 0; i < pairs; i++) {
            conditions[i] = compileNode(args.get(2 * i), argPath(argsNode, opPath, 2 * i));
            values[i] = compileNode(args.get(2 * i + 1), argPath(argsNode, opPath, 2 * i + 1));
          }
          Node otherwise =
              args.size() % 2 == 1
                  ? compileNode(
                      args.get(args.size() - 1), argPath(argsNode, opPath, args.size() - 1))
                  : Nodes.Const.NULL;
          return new Nodes.If(conditions, values, otherwise);
        }
      case "==", "!=", "===", "!==":
        {
          Node[] operands = operands(op, argsNode, opPath, 2, 2);
          return new Nodes.Equals(operands[0], operands[1], op.length() == 3, op.charAt(0) == '!');
        }
      case "!", "!!":
        {
          Node operand =
              args.isEmpty()
                  ? Nodes.Const.NULL
                  : compileNode(args.get(0), argPath(argsNode, opPath, 0));
          return new Nodes.Truthiness(operand, op.equals("!"));
        }
      case "and", "or":
        {
          Node[] operands = operands(op, argsNode, opPath, 1, Integer.MAX_VALUE);
          return op.equals("and") ? new Nodes.And(operands) : new Nodes.Or(operands);
        }
      case "<", "<=":
        {
          Node[] operands = operands(op, argsNode, opPath, 2, 3);
          return new Nodes.Compare(
              op.equals("<") ? Nodes.Compare.Op.LT : Nodes.Compare.Op.LE,
              operands[0],
              operands[1],
              operands.length == 3 ? operands[2] : null);
        }
      case ">", ">=":
        {
          Node[] operands = operands(op, argsNode, opPath, 2, 3);
          if (operands.length == 3) {
            problem(
                opPath,
                "'" + op + "' takes 2 arguments; the between form exists only for < and <=");
          }
          return new Nodes.Compare(
              op.equals(">") ? Nodes.Compare.Op.GT : Nodes.Compare.Op.GE,
              operands[0],
              operands[1],
              null);
        }
      case "in":
        return in(argsNode, opPath);
      case "cat":
        return new Nodes.Cat(operands(op, argsNode, opPath, 0, Integer.MAX_VALUE));
      case "starts_with", "ends_with":
        {
          Node[] operands = compileEach(argsNode, opPath);
          if (!argsNode.isArray() || operands.length != 2) {
            warn(opPath, "'" + op + "' takes 2 arguments; found " + operands.length + YIELDS_NULL);
            return Nodes.Const.NULL;
          }
          return new Nodes.StringAffix(operands[0], operands[1], op.equals("ends_with"));
        }
      case "sem_ver":
        return semVer(argsNode, opPath);
      case "fractional":
        {
          FractionalParts parts = fractional(argsNode, opPath);
          Node[] entries = new Node[parts.entries.size()];
          for (int i = 0; i < entries.length; i++) {
            entries[i] = compileNode(parts.entries.get(i), parts.entryPaths.get(i));
          }
          return parts.split == null
              ? Nodes.Const.NULL
              : new Nodes.Fractional(parts.split, entries);
        }
      default:
        problem(opPath, "unknown operator '" + op + "'");
        return Nodes.Const.NULL;
    }
  }

  private Node variable(JsonNode argsNode, String opPath) {
    JsonNode pathArg = argsNode;
    Node fallback = null;
    if (argsNode.isArray()) {
      if (argsNode.isEmpty()) {
        return new Nodes.WholeContext();
      }
      pathArg = argsNode.get(0);
      if (argsNode.size() > 1) {
        fallback = compileNode(argsNode.get(1), opPath + "[1]");
      }
      if (argsNode.size() > 2) {
        problem(opPath, "'var' takes a path and an optional default");
      }
    }
    if (pathArg.isNull()) {
      return new Nodes.WholeContext();
    }
    if (pathArg.isTextual() || pathArg.isNumber()) {
      String path =
          pathArg.isTextual()
              ? pathArg.textValue()
              : JsValues.numberToString(pathArg.doubleValue());
      if (path.isEmpty()) {
        return new Nodes.WholeContext();
      }
      String[] segments = path.split("\\.", -1);
      if (segments[0].equals("$flagd")) {
        return flagdProperty(segments, fallback);
      }
      return new Nodes.Var(segments, fallback);
    }
    if (pathArg.isObject()) {
      return new Nodes.DynamicVar(
          compileNode(pathArg, argsNode.isArray() ? opPath + "[0]" : opPath), fallback);
    }
    problem(opPath, "a 'var' path is a string, a number or an expression; found " + pathArg);
    return Nodes.Const.NULL;
  }

  private Node flagdProperty(String[] segments, Node fallback) {
    if (segments.length == 1) {
      return new Nodes.FlagdProperties(flagKey, timestamp());
    }
    if (segments.length == 2 && segments[1].equals("flagKey")) {
      return new Nodes.Const(flagKey);
    }
    if (segments.length == 2 && segments[1].equals("timestamp")) {
      return timestamp();
    }
    return fallback != null ? fallback : Nodes.Const.NULL;
  }

  private Nodes.FlagdTimestamp timestamp() {
    if (timestamp == null) {
      timestamp = new Nodes.FlagdTimestamp(epochSeconds);
    }
    return timestamp;
  }

  private Node in(JsonNode argsNode, String opPath) {
    Node[] operands = operands("in", argsNode, opPath, 2, 2);
    JsonNode haystack = argsNode.isArray() && argsNode.size() == 2 ? argsNode.get(1) : null;
    if (haystack != null && haystack.isArray() && allScalars(haystack)) {
      HashSet<String> strings = new HashSet<>();
      List<Double> numbers = new ArrayList<>();
      boolean hasTrue = false;
      boolean hasFalse = false;
      boolean hasNull = false;
      for (JsonNode element : haystack) {
        if (element.isTextual()) {
          strings.add(element.textValue());
        } else if (element.isNumber()) {
          numbers.add(element.doubleValue());
        } else if (element.isBoolean()) {
          hasTrue |= element.booleanValue();
          hasFalse |= !element.booleanValue();
        } else {
          hasNull = true;
        }
      }
      double[] numberArray = new double[numbers.size()];
      for (int i = 0; i < numberArray.length; i++) {
        numberArray[i] = numbers.get(i);
      }
      return new Nodes.InList(operands[0], strings, numberArray, hasTrue, hasFalse, hasNull);
    }
    return new Nodes.In(operands[0], operands[1]);
  }

  private static boolean allScalars(JsonNode array) {
    for (JsonNode element : array) {
      if (element.isContainerNode()) {
        return false;
      }
    }
    return true;
  }

  private Node semVer(JsonNode argsNode, String opPath) {
    Node[] operands = compileEach(argsNode, opPath);
    if (!argsNode.isArray() || operands.length != 3) {
      warn(
          opPath,
          "'sem_ver' takes 3 arguments (a version, an operator, a version); found "
              + operands.length
              + YIELDS_NULL);
      return Nodes.Const.NULL;
    }
    Nodes.SemVerCompare.Op op = null;
    if (operands[1] instanceof Nodes.Const c) {
      op = Nodes.SemVerCompare.Op.of(c.value);
      if (op == null) {
        warn(
            opPath + "[1]",
            "a sem_ver operator is one of = != < <= > >= ^ ~; found "
                + argsNode.get(1)
                + YIELDS_NULL);
        return Nodes.Const.NULL;
      }
    }
    if (notAVersion(operands[0], argsNode.get(0), opPath + "[0]")
        | notAVersion(operands[2], argsNode.get(2), opPath + "[2]")) {
      return Nodes.Const.NULL;
    }
    SemVer literalTarget = operands[2] instanceof Nodes.Const c ? SemVer.of(c.value) : null;
    return new Nodes.SemVerCompare(operands[0], op, operands[1], operands[2], literalTarget);
  }

  /** Whether {@code operand} is a literal that names no version (warned about). */
  private boolean notAVersion(Node operand, JsonNode source, String path) {
    if (operand instanceof Nodes.Const c && SemVer.of(c.value) == null) {
      warn(path, "not a semantic version: " + source + YIELDS_NULL);
      return true;
    }
    return false;
  }

  /**
   * The parts of a {@code fractional}, its entries' variant expressions still to compile; {@code
   * split} is {@code null} when flagd answers {@code null} for every context.
   */
  private record FractionalParts(
      FractionalSplit split, List<JsonNode> entries, List<String> entryPaths) {}

  private FractionalParts fractional(JsonNode argsNode, String opPath) {
    List<JsonNode> args = args(argsNode);
    boolean usable = argsNode.isArray();
    if (!usable) {
      warn(opPath, "fractional takes an array of arguments; found " + argsNode + YIELDS_NULL);
    }
    int first = 0;
    Node bucketBy = null;
    if (!args.isEmpty() && !args.get(0).isArray()) {
      bucketBy = compileNode(args.get(0), argPath(argsNode, opPath, 0));
      if (bucketBy instanceof Nodes.Const c && c.value != null && !(c.value instanceof String)) {
        warn(
            argPath(argsNode, opPath, 0),
            "the bucketing value is a string or an expression; found " + args.get(0) + YIELDS_NULL);
        usable = false;
      }
      first = 1;
    }
    if (first >= args.size()) {
      warn(opPath, "fractional needs at least one [variant, weight] entry" + YIELDS_NULL);
      usable = false;
    }
    List<JsonNode> entries = new ArrayList<>();
    List<String> entryPaths = new ArrayList<>();
    List<Node> weights = new ArrayList<>();
    boolean literal = true;
    long total = 0;
    for (int i = first; i < args.size(); i++) {
      JsonNode entry = args.get(i);
      String entryPath = argPath(argsNode, opPath, i);
      if (!entry.isArray() || entry.isEmpty()) {
        warn(
            entryPath,
            "a fractional entry is [variant] or [variant, weight]; found " + entry + YIELDS_NULL);
        usable = false;
        continue;
      }
      if (entry.size() > 2) {
        warn(
            entryPath,
            "a fractional entry is [variant] or [variant, weight]; flagd ignores the rest of "
                + entry);
      }
      Node weight =
          entry.size() >= 2 ? compileNode(entry.get(1), entryPath + "[1]") : Nodes.Const.NULL;
      if (weight instanceof Nodes.Const c) {
        long value = FractionalSplit.weight(c.value);
        if (value == FractionalSplit.INVALID_WEIGHT) {
          warn(
              entryPath + "[1]",
              "a weight is a whole number, at most 2147483647; found "
                  + entry.get(1)
                  + YIELDS_NULL);
          usable = false;
        } else if (c.value instanceof Double d && d < 0) {
          warn(entryPath + "[1]", "a negative weight counts as 0 (flagd clamps it); found " + d);
        }
        total += Math.max(value, 0);
      } else {
        literal = false;
      }
      weights.add(weight);
      entries.add(entry.get(0));
      entryPaths.add(entryPath + "[0]");
    }
    if (usable && literal) {
      if (total > Integer.MAX_VALUE) {
        warn(opPath, "the weights sum to " + total + ", more than 2147483647" + YIELDS_NULL);
        usable = false;
      } else if (total == 0) {
        warn(opPath, "the weights sum to 0, so no context is bucketed" + YIELDS_NULL);
        usable = false;
      }
    }
    FractionalSplit split = null;
    if (usable && literal) {
      long[] values = new long[weights.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = FractionalSplit.weight(((Nodes.Const) weights.get(i)).value);
      }
      split = FractionalSplit.literal(flagKey, bucketBy, values);
    } else if (usable) {
      split = FractionalSplit.computed(flagKey, bucketBy, weights.toArray(new Node[0]));
    }
    return new FractionalParts(split, entries, entryPaths);
  }

  // ---- helpers ----

  private Node[] operands(String op, JsonNode argsNode, String opPath, int min, int max) {
    List<JsonNode> args = args(argsNode);
    if (args.size() < min || args.size() > max) {
      String expected =
          min == max
              ? String.valueOf(min)
              : (max == Integer.MAX_VALUE ? "at least " + min : min + " or " + max);
      problem(opPath, "'" + op + "' takes " + expected + " arguments; found " + args.size());
    }
    Node[] operands = new Node[Math.max(args.size(), min)];
    for (int i = 0; i < operands.length; i++) {
      operands[i] =
          i < args.size()
              ? compileNode(args.get(i), argPath(argsNode, opPath, i))
              : Nodes.Const.NULL;
    }
    return operands;
  }

  /** Every argument compiled, however many there are. */
  private Node[] compileEach(JsonNode argsNode, String opPath) {
    List<JsonNode> args = args(argsNode);
    Node[] operands = new Node[args.size()];
    for (int i = 0; i < operands.length; i++) {
      operands[i] = compileNode(args.get(i), argPath(argsNode, opPath, i));
    }
    return operands;
  }

  /** JsonLogic's arguments: an array's elements, or a single non-array value. */
  private static List<JsonNode> args(JsonNode argsNode) {
    List<JsonNode> args = new ArrayList<>();
    if (argsNode.isArray()) {
      argsNode.forEach(args::add);
    } else {
      args.add(argsNode);
    }
    return args;
  }

  private static String argPath(JsonNode argsNode, String opPath, int index) {
    return argsNode.isArray() ? opPath + "[" + index + "]" : opPath;
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The evaluator name when {@code node} is {@code {"$ref": name}}, else {@code null}. */
  private String refName(JsonNode node, String path) {
    if (node == null || !node.isObject() || node.size() != 1 || !node.has("$ref")) {
      return null;
    }
    JsonNode name = node.get("$ref");
    if (!name.isTextual()) {
      problem(join(path, "$ref"), "a $ref names an evaluator with a string; found " + name);
      return null;
    }
    return name.textValue();
  }

  /** The evaluator's definition, pushed on the reference stack; {@code null} when unusable. */
  private JsonNode enterRef(String name, String path) {
    JsonNode target = evaluators.get(name);
    if (target == null) {
      problem(join(path, "$ref"), "$ref to a missing evaluator '" + name + "'");
      return null;
    }
    if (refs.contains(name)) {
      problem(
          join(path, "$ref"), "$ref cycle: " + String.join(" -> ", reversedRefs()) + " -> " + name);
      return null;
    }
    refs.push(name);
    return target;
  }

  private List<String> reversedRefs() {
    List<String> chain = new ArrayList<>(refs);
    Collections.reverse(chain);
    return chain;
  }

  private void problem(String path, String message) {
    problems.add(new Problem(path, message));
  }

  private void warn(String path, String message) {
    warnings.add(new Problem(path, message));
  }
}
