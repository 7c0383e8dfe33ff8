package dev.sluice.flags.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.FlagDefinitionException;
import dev.sluice.flags.FlagDefinitionException.Problem;
import dev.sluice.flags.FlagType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Validates a flagd flag-definition document and compiles it, in one of two modes:
 *
 * <ul>
 *   <li><em>strict</em> ({@link #compile}): every problem and every warning (see {@link
 *       TargetingCompiler}) is reported, and a document with any yields no flags at all — for a
 *       person writing flags, who should hear about each mistake before it is served;
 *   <li><em>lenient</em> ({@link #load}), as flagd loads a file: flag by flag; a flag with a
 *       problem is rejected (listed, with its problems, and answered with {@code PARSE_ERROR}), a
 *       flag with only warnings is served doing what flagd does, and every other flag is served.
 *       Only a document that is no flag document at all (not an object, no {@code flags} object)
 *       fails as a whole.
 * </ul>
 */
public final class DocumentCompiler {

  /**
   * A compiled document.
   *
   * @param flags the flags served, by key
   * @param metadata the flag-set metadata
   * @param rejected lenient mode: the flags not served, by key, with their problems (and warnings)
   * @param warnings lenient mode: what the flags served (and the shared parts) do the flagd way,
   *     for the operator to fix
   */
  public record CompiledDocument(
      Map<String, CompiledFlag> flags,
      Map<String, Object> metadata,
      Map<String, List<Problem>> rejected,
      List<Problem> warnings) {}

  private final LongSupplier epochSeconds;
  private final boolean lenient;
  // Strict: one list, in document order, for problems and warnings alike.
  private final Set<Problem> documentProblems = new LinkedHashSet<>();
  private final Set<Problem> documentWarnings;
  // Of the part being compiled; lenient: the document's shared parts, then each flag in turn.
  private Set<Problem> problems = documentProblems;
  private Set<Problem> warnings;

  private DocumentCompiler(LongSupplier epochSeconds, boolean lenient) {
    this.epochSeconds = epochSeconds;
    this.lenient = lenient;
    this.documentWarnings = lenient ? new LinkedHashSet<>() : documentProblems;
    this.warnings = documentWarnings;
  }

  /**
   * Compiles {@code root}, a flagd document, strictly.
   *
   * @param epochSeconds the clock behind {@code $flagd.timestamp}
   * @throws FlagDefinitionException listing every problem and warning found
   */
  public static CompiledDocument compile(JsonNode root, LongSupplier epochSeconds)
      throws FlagDefinitionException {
    return new DocumentCompiler(epochSeconds, false).compileDocument(root);
  }

  /**
   * Compiles {@code root}, a flagd document, leniently: flag by flag.
   *
   * @param epochSeconds the clock behind {@code $flagd.timestamp}
   * @throws FlagDefinitionException only when {@code root} is no flag document at all
   */
  public static CompiledDocument load(JsonNode root, LongSupplier epochSeconds)
      throws FlagDefinitionException {
    return new DocumentCompiler(epochSeconds, true).compileDocument(root);
  }

  private CompiledDocument compileDocument(JsonNode root) throws FlagDefinitionException {
    if (root == null || !root.isObject()) {
      throw new FlagDefinitionException(
          List.of(new Problem("", "a flag definition document is a JSON object")));
    }
    Map<String, Object> setMetadata = metadata(root.get("metadata"), "metadata");
    Map<String, JsonNode> evaluators = evaluators(root.get("$evaluators"));
    Map<String, CompiledFlag> flags = new LinkedHashMap<>();
    Map<String, List<Problem>> rejected = new LinkedHashMap<>();
    JsonNode flagsNode = root.get("flags");
    if (flagsNode == null || !flagsNode.isObject()) {
      throw new FlagDefinitionException(
          List.of(new Problem("flags", "'flags' is required and is an object of flags by key")));
    }
    if (lenient) {
      // The shared parts matter only through the flags that use them, which report them again.
      documentWarnings.addAll(documentProblems);
      documentProblems.clear();
    }
    for (Map.Entry<String, JsonNode> e : iterable(flagsNode)) {
      if (lenient) {
        problems = new LinkedHashSet<>();
        warnings = new LinkedHashSet<>();
      }
      CompiledFlag flag = flag(e.getKey(), e.getValue(), evaluators, setMetadata);
      if (!lenient) {
        if (flag != null) {
          flags.put(e.getKey(), flag);
        }
      } else if (problems.isEmpty()) {
        flags.put(e.getKey(), flag);
        documentWarnings.addAll(warnings);
      } else {
        List<Problem> reasons = new ArrayList<>(problems);
        reasons.addAll(warnings);
        rejected.put(e.getKey(), reasons);
      }
    }
    if (!lenient && !documentProblems.isEmpty()) {
      throw new FlagDefinitionException(new ArrayList<>(documentProblems));
    }
    return new CompiledDocument(
        Collections.unmodifiableMap(flags),
        setMetadata,
        Collections.unmodifiableMap(rejected),
        lenient ? List.copyOf(documentWarnings) : List.of());
  }

  private Map<String, JsonNode> evaluators(JsonNode node) {
    Map<String, JsonNode> evaluators = new HashMap<>();
    if (node == null || node.isNull()) {
      return evaluators;
    }
    if (!node.isObject()) {
      problem("$evaluators", "'$evaluators' is an object of targeting expressions by name");
      return evaluators;
    }
    node.properties().forEach(e -> evaluators.put(e.getKey(), e.getValue()));
    // Check each evaluator's operators once, even when no flag references it.
    for (Map.Entry<String, JsonNode> e : evaluators.entrySet()) {
      new TargetingCompiler("", Map.of(), evaluators, epochSeconds, problems, warnings)
          .compileNode(e.getValue(), "$evaluators." + e.getKey());
    }
    return evaluators;
  }

  private CompiledFlag flag(
      String key,
      JsonNode node,
      Map<String, JsonNode> evaluators,
      Map<String, Object> setMetadata) {
    String path = "flags." + key;
    if (!node.isObject()) {
      problem(path, "a flag is an object");
      return null;
    }
    int before = problems.size();

    JsonNode state = node.get("state");
    boolean enabled = true;
    if (state == null || !state.isTextual()) {
      problem(path + ".state", "'state' is required: \"ENABLED\" or \"DISABLED\"");
    } else if (state.textValue().equals("DISABLED")) {
      enabled = false;
    } else if (!state.textValue().equals("ENABLED")) {
      problem(path + ".state", "'state' is \"ENABLED\" or \"DISABLED\"; found " + state);
    }

    JsonNode variantsNode = node.get("variants");
    List<String> names = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    FlagType type = null;
    if (variantsNode == null || !variantsNode.isObject() || variantsNode.isEmpty()) {
      problem(path + ".variants", "'variants' is required: a non-empty object of values by name");
    } else {
      String firstName = null;
      for (Map.Entry<String, JsonNode> v : iterable(variantsNode)) {
        String variantPath = path + ".variants." + v.getKey();
        FlagType variantType = typeOf(v.getValue());
        if (variantType == null) {
          problem(
              variantPath,
              "a variant is a boolean, a string, a number or an object; found " + v.getValue());
          continue;
        }
        if (type == null) {
          type = variantType;
          firstName = v.getKey();
        } else if (variantType != type) {
          problem(
              variantPath,
              "variant type "
                  + variantType
                  + " differs from "
                  + type
                  + " (variant '"
                  + firstName
                  + "'): all variants of a flag have one type");
          continue;
        }
        names.add(v.getKey());
        values.add(JsonTrees.toValue(v.getValue()));
      }
    }
    Map<String, Integer> variantIndex = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      variantIndex.put(names.get(i), i);
    }

    int defaultIndex = -1;
    JsonNode defaultVariant = node.get("defaultVariant");
    if (defaultVariant != null && !defaultVariant.isNull()) {
      if (!defaultVariant.isTextual()) {
        problem(
            path + ".defaultVariant", "'defaultVariant' names a variant; found " + defaultVariant);
      } else if (!variantIndex.containsKey(defaultVariant.textValue())) {
        if (variantsNode != null && variantsNode.has(defaultVariant.textValue())) {
          // the variant itself is broken; already reported
        } else {
          problem(
              path + ".defaultVariant",
              "'defaultVariant' \""
                  + defaultVariant.textValue()
                  + "\" is not among the variants ("
                  + String.join(", ", names)
                  + ")");
        }
      } else {
        defaultIndex = variantIndex.get(defaultVariant.textValue());
      }
    }

    Map<String, Object> metadata = new LinkedHashMap<>(setMetadata);
    metadata.putAll(metadata(node.get("metadata"), path + ".metadata"));

    Rule rule = null;
    JsonNode targeting = node.get("targeting");
    if (targeting != null && !targeting.isNull()) {
      if (!targeting.isObject()) {
        problem(path + ".targeting", "'targeting' is a JsonLogic object");
      } else if (!targeting.isEmpty() && problems.size() == before) {
        // Only with sound variants: variant-name checks would otherwise report noise.
        rule =
            new TargetingCompiler(
                    key,
                    Collections.unmodifiableMap(variantIndex),
                    evaluators,
                    epochSeconds,
                    problems,
                    warnings)
                .compileRule(targeting, path + ".targeting");
      }
    }

    if (problems.size() != before) {
      return null;
    }
    return new CompiledFlag(
        key,
        enabled,
        type,
        names.toArray(new String[0]),
        values.toArray(),
        defaultIndex,
        rule,
        Collections.unmodifiableMap(metadata));
  }

  private Map<String, Object> metadata(JsonNode node, String path) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return Collections.unmodifiableMap(metadata);
    }
    if (!node.isObject()) {
      warn(path, "'metadata' is an object; ignored");
      return Collections.unmodifiableMap(metadata);
    }
    for (Map.Entry<String, JsonNode> e : iterable(node)) {
      JsonNode value = e.getValue();
      if (value.isTextual() || value.isNumber() || value.isBoolean()) {
        metadata.put(e.getKey(), JsonTrees.toValue(value));
      } else {
        warn(
            path + "." + e.getKey(),
            "metadata values are strings, numbers or booleans; ignored " + value);
      }
    }
    return Collections.unmodifiableMap(metadata);
  }

  private static FlagType typeOf(JsonNode value) {
    if (value.isBoolean()) {
      return FlagType.BOOLEAN;
    }
    if (value.isTextual()) {
      return FlagType.STRING;
    }
    if (value.isNumber()) {
      return FlagType.NUMBER;
    }
    if (value.isObject()) {
      return FlagType.OBJECT;
    }
    return null;
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    return node.properties();
  }

  private void problem(String path, String message) {
    problems.add(new Problem(path, message));
  }

  private void warn(String path, String message) {
    warnings.add(new Problem(path, message));
  }
}
