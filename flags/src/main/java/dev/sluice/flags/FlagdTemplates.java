package dev.sluice.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds and edits flagd flag definitions as Jackson trees. Every edit returns a new document and
 * leaves its input untouched; run the result through {@link FlagEngine#compile} to validate it.
 *
 * <p>{@link #simple} expresses the simple flag model ({@code enabled}, {@code rolloutPercentage},
 * {@code rules}) as a boolean flagd flag with variants {@code on}/{@code off}: each rule becomes
 * one condition/{@code "on"} pair of a top-level {@code if} whose else is {@code "off"} (rules
 * replace the rollout when present); without rules a rollout below 100% becomes a {@code
 * fractional} split on the targeting key. The split hashes like flagd (murmur3 of flag key +
 * targeting key), not like an md5 of "name:user_id", so individual users may land differently than
 * under such code. A disabled flag becomes {@code "state": "DISABLED"}: flagd then answers with the
 * caller's code default, off in this model.
 */
public final class FlagdTemplates {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private FlagdTemplates() {}

  /** A rule of the simple model: {@code context[attribute] <op> value}. */
  public record SimpleRule(String attribute, Op op, Object value) {
    /** The simple model's rule types. */
    public enum Op {
      /** Strictly equal ({@code ===}). */
      EQUALS,
      /** A member of {@code value}, a list. */
      IN,
      /** Greater than ({@code >}). */
      GREATER_THAN
    }
  }

  /** A flagd document holding one flag. */
  public static ObjectNode document(String flagKey, ObjectNode flag) {
    ObjectNode doc = JSON.objectNode();
    doc.putObject("flags").set(flagKey, flag.deepCopy());
    return doc;
  }

  /** The simple flag model as a flagd flag definition (see the class comment). */
  public static ObjectNode simple(boolean enabled, int rolloutPercentage, List<SimpleRule> rules) {
    if (rolloutPercentage < 0 || rolloutPercentage > 100) {
      throw new IllegalArgumentException("rolloutPercentage is 0..100: " + rolloutPercentage);
    }
    ObjectNode flag = JSON.objectNode();
    flag.put("state", enabled ? "ENABLED" : "DISABLED");
    ObjectNode variants = flag.putObject("variants");
    variants.put("on", true);
    variants.put("off", false);
    if (!rules.isEmpty()) {
      flag.put("defaultVariant", "off");
      ArrayNode branches = flag.putObject("targeting").putArray("if");
      for (SimpleRule rule : rules) {
        branches.add(condition(rule));
        branches.add("on");
      }
      branches.add("off");
    } else if (rolloutPercentage == 100) {
      flag.put("defaultVariant", "on");
    } else if (rolloutPercentage == 0) {
      flag.put("defaultVariant", "off");
    } else {
      flag.put("defaultVariant", "off");
      flag.set("targeting", split("on", rolloutPercentage, "off"));
    }
    return flag;
  }

  /** A simple rule as a JsonLogic condition. */
  public static JsonNode condition(SimpleRule rule) {
    ObjectNode condition = JSON.objectNode();
    String op =
        switch (rule.op()) {
          case EQUALS -> "===";
          case IN -> "in";
          case GREATER_THAN -> ">";
        };
    ArrayNode args = condition.putArray(op);
    args.addObject().put("var", rule.attribute());
    args.add(toJson(rule.value()));
    return condition;
  }

  /**
   * The document with the flag serving {@code variant} to everyone: enabled, that variant as the
   * default, no targeting. What a migration's phase flag is moved with.
   */
  public static ObjectNode withVariant(ObjectNode document, String flagKey, String variant) {
    ObjectNode doc = document.deepCopy();
    ObjectNode flag = flag(doc, flagKey);
    if (!flag.path("variants").has(variant)) {
      throw new IllegalArgumentException("flag '" + flagKey + "' has no variant '" + variant + "'");
    }
    flag.put("state", "ENABLED");
    flag.put("defaultVariant", variant);
    flag.remove("targeting");
    return doc;
  }

  /** The kill switch: the document with the flag's state set to ENABLED or DISABLED. */
  public static ObjectNode withState(ObjectNode document, String flagKey, boolean enabled) {
    ObjectNode doc = document.deepCopy();
    flag(doc, flagKey).put("state", enabled ? "ENABLED" : "DISABLED");
    return doc;
  }

  /**
   * The document with {@code percent}% of the flag's split given to {@code variant}. An existing
   * {@code fractional} (the first found in the targeting) is rewritten on a scale of 100: the other
   * entries share the rest in proportion to their current weights. Without one, the split replaces
   * the final fallback: the whole targeting when there is none, else the else-branch of the
   * top-level {@code if}; the rest goes to that fallback's variant (or the default variant).
   */
  public static ObjectNode withRollout(
      ObjectNode document, String flagKey, String variant, int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent is 0..100: " + percent);
    }
    ObjectNode doc = document.deepCopy();
    ObjectNode flag = flag(doc, flagKey);
    JsonNode targeting = flag.get("targeting");
    ArrayNode fractional = targeting == null ? null : findFractional(targeting);
    if (fractional != null) {
      rewriteSplit(fractional, variant, percent);
      return doc;
    }
    String rest = otherVariant(flag, variant, null);
    if (targeting == null || targeting.isEmpty()) {
      flag.set("targeting", split(variant, percent, rest));
    } else if (targeting.has("if") && targeting.get("if").isArray()) {
      ArrayNode branches = (ArrayNode) targeting.get("if");
      if (branches.size() % 2 == 1) {
        JsonNode otherwise = branches.remove(branches.size() - 1);
        rest = otherVariant(flag, variant, otherwise.isTextual() ? otherwise.textValue() : null);
      }
      branches.add(split(variant, percent, rest));
    } else {
      throw new IllegalArgumentException(
          "flag '" + flagKey + "' has targeting without a fractional split or a top-level if");
    }
    return doc;
  }

  /**
   * The document with a rule added to the flag: {@code condition} → {@code variant}, checked after
   * the existing rules and before the fallback. The targeting becomes a top-level {@code if} when
   * it is not one: the old targeting becomes its fallback.
   */
  public static ObjectNode withRule(
      ObjectNode document, String flagKey, JsonNode condition, String variant) {
    ObjectNode doc = document.deepCopy();
    ObjectNode flag = flag(doc, flagKey);
    JsonNode targeting = flag.get("targeting");
    ArrayNode branches;
    if (targeting != null && targeting.has("if") && targeting.get("if").isArray()) {
      branches = (ArrayNode) targeting.get("if");
    } else {
      ObjectNode newTargeting = JSON.objectNode();
      branches = newTargeting.putArray("if");
      branches.add(targeting == null || targeting.isEmpty() ? JSON.nullNode() : targeting);
      flag.set("targeting", newTargeting);
    }
    int at = branches.size() % 2 == 1 ? branches.size() - 1 : branches.size();
    branches.insert(at, condition.deepCopy());
    branches.insert(at + 1, variant);
    return doc;
  }

  /**
   * The document without the flag's {@code index}-th rule (0-based) of its top-level {@code if}.
   * When no rule remains, the fallback becomes the whole targeting (none when it was {@code null}).
   */
  public static ObjectNode withoutRule(ObjectNode document, String flagKey, int index) {
    ObjectNode doc = document.deepCopy();
    ObjectNode flag = flag(doc, flagKey);
    JsonNode targeting = flag.get("targeting");
    if (targeting == null || !targeting.has("if") || !targeting.get("if").isArray()) {
      throw new IllegalArgumentException("flag '" + flagKey + "' has no top-level if");
    }
    ArrayNode branches = (ArrayNode) targeting.get("if");
    int rules = branches.size() / 2;
    if (index < 0 || index >= rules) {
      throw new IndexOutOfBoundsException("flag '" + flagKey + "' has " + rules + " rules");
    }
    branches.remove(2 * index + 1);
    branches.remove(2 * index);
    if (branches.size() <= 1) {
      JsonNode otherwise = branches.isEmpty() ? JSON.nullNode() : branches.get(0);
      if (otherwise.isNull()) {
        flag.remove("targeting");
      } else {
        flag.set("targeting", otherwise);
      }
    }
    return doc;
  }

  private static ObjectNode flag(ObjectNode doc, String flagKey) {
    JsonNode flag = doc.path("flags").get(flagKey);
    if (!(flag instanceof ObjectNode object)) {
      throw new IllegalArgumentException("no flag '" + flagKey + "' in the document");
    }
    return object;
  }

  private static ObjectNode split(String variant, int percent, String rest) {
    ObjectNode targeting = JSON.objectNode();
    ArrayNode entries = targeting.putArray("fractional");
    entries.addArray().add(variant).add(percent);
    entries.addArray().add(rest).add(100 - percent);
    return targeting;
  }

  private static String otherVariant(ObjectNode flag, String variant, String preferred) {
    if (preferred != null && !preferred.equals(variant)) {
      return preferred;
    }
    JsonNode defaultVariant = flag.get("defaultVariant");
    if (defaultVariant != null
        && defaultVariant.isTextual()
        && !defaultVariant.textValue().equals(variant)) {
      return defaultVariant.textValue();
    }
    for (String name : (Iterable<String>) () -> flag.path("variants").fieldNames()) {
      if (!name.equals(variant)) {
        return name;
      }
    }
    throw new IllegalArgumentException("a split needs a second variant besides '" + variant + "'");
  }

  private static ArrayNode findFractional(JsonNode node) {
    if (node.isObject()) {
      JsonNode fractional = node.get("fractional");
      if (fractional != null && fractional.isArray()) {
        return (ArrayNode) fractional;
      }
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        ArrayNode found = findFractional(child);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static void rewriteSplit(ArrayNode fractional, String variant, int percent) {
    List<ArrayNode> entries = new ArrayList<>();
    for (JsonNode arg : fractional) {
      if (arg.isArray()) {
        entries.add((ArrayNode) arg);
      }
    }
    ArrayNode target = null;
    List<ArrayNode> others = new ArrayList<>();
    for (ArrayNode entry : entries) {
      if (target == null && entry.get(0).isTextual() && entry.get(0).textValue().equals(variant)) {
        target = entry;
      } else {
        others.add(entry);
      }
    }
    if (target == null) {
      target = fractional.addArray().add(variant);
    }
    if (others.isEmpty() && percent < 100) {
      throw new IllegalArgumentException("a split needs a second entry besides '" + variant + "'");
    }
    long[] old = new long[others.size()];
    long oldTotal = 0;
    for (int i = 0; i < old.length; i++) {
      old[i] = others.get(i).size() > 1 ? others.get(i).get(1).asLong(1) : 1;
      oldTotal += old[i];
    }
    // Largest remainder: the others' shares of (100 - percent) in proportion to their weights.
    int rest = 100 - percent;
    int[] shares = new int[old.length];
    double[] remainders = new double[old.length];
    int given = 0;
    for (int i = 0; i < old.length; i++) {
      double exact = oldTotal == 0 ? (double) rest / old.length : (double) rest * old[i] / oldTotal;
      shares[i] = (int) Math.floor(exact);
      remainders[i] = exact - shares[i];
      given += shares[i];
    }
    while (given < rest) {
      int best = 0;
      for (int i = 1; i < remainders.length; i++) {
        if (remainders[i] > remainders[best]) {
          best = i;
        }
      }
      shares[best]++;
      remainders[best] = -1;
      given++;
    }
    setWeight(target, percent);
    for (int i = 0; i < others.size(); i++) {
      setWeight(others.get(i), shares[i]);
    }
  }

  private static void setWeight(ArrayNode entry, int weight) {
    while (entry.size() > 1) {
      entry.remove(entry.size() - 1);
    }
    entry.add(weight);
  }

  private static JsonNode toJson(Object value) {
    if (value == null) {
      return JSON.nullNode();
    }
    if (value instanceof String s) {
      return JSON.textNode(s);
    }
    if (value instanceof Boolean b) {
      return JSON.booleanNode(b);
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 1e15
          ? JSON.numberNode((long) d)
          : JSON.numberNode(d);
    }
    if (value instanceof Iterable<?> items) {
      ArrayNode array = JSON.arrayNode();
      items.forEach(item -> array.add(toJson(item)));
      return array;
    }
    throw new IllegalArgumentException("not a JSON scalar or list: " + value);
  }
}
