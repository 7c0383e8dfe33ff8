package dev.sluice.flags;

import dev.sluice.flags.internal.JsValues;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The attributes a flag is evaluated against: an immutable map from names to JSON-like values —
 * {@code String}, {@code Double} (every number is normalised to a double once, when the context is
 * built), {@code Boolean}, nested {@code Map<String, Object>}, {@code List<Object>}, or {@code
 * null}.
 *
 * <p>The OpenFeature targeting key lives under the attribute {@value #TARGETING_KEY}, which is how
 * flagd exposes it to targeting rules ({@code {"var": "targetingKey"}}). Build a context once per
 * request and reuse it across flag evaluations: evaluating reads it without copying or boxing.
 */
public final class EvaluationContext {

  /** The attribute holding the targeting key. */
  public static final String TARGETING_KEY = "targetingKey";

  private static final EvaluationContext EMPTY = new EvaluationContext(Map.of());

  private final Map<String, Object> attributes;
  private final String targetingKey;

  private EvaluationContext(Map<String, Object> attributes) {
    this.attributes = attributes;
    this.targetingKey = attributes.get(TARGETING_KEY) instanceof String key ? key : null;
  }

  /** A context with no attributes. */
  public static EvaluationContext empty() {
    return EMPTY;
  }

  /** A context holding only a targeting key. */
  public static EvaluationContext of(String targetingKey) {
    return builder().targetingKey(targetingKey).build();
  }

  /**
   * A context copied from a map of JSON-like values (any {@code Number}, {@code CharSequence},
   * {@code Boolean}, {@code Map} with string keys, {@code List}, or {@code null}).
   *
   * @throws IllegalArgumentException for any other value type
   */
  public static EvaluationContext fromMap(Map<String, ?> attributes) {
    Builder builder = builder();
    attributes.forEach(builder::putValue);
    return builder.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The targeting key, or {@code null} when absent or not a string. */
  public String targetingKey() {
    return targetingKey;
  }

  /** The attribute's normalised value, or {@code null} when absent. */
  public Object get(String name) {
    return attributes.get(name);
  }

  /** Whether the attribute is present (possibly with a {@code null} value). */
  public boolean contains(String name) {
    return attributes.containsKey(name);
  }

  /** All attributes, unmodifiable. */
  public Map<String, Object> asMap() {
    return attributes;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EvaluationContext that && attributes.equals(that.attributes);
  }

  @Override
  public int hashCode() {
    return attributes.hashCode();
  }

  @Override
  public String toString() {
    return "EvaluationContext" + attributes;
  }

  /** Builds an {@link EvaluationContext}; not thread-safe, single use. */
  public static final class Builder {
    private final Map<String, Object> attributes = new HashMap<>();

    private Builder() {}

    public Builder targetingKey(String targetingKey) {
      attributes.put(TARGETING_KEY, targetingKey);
      return this;
    }

    public Builder put(String name, String value) {
      attributes.put(name, value);
      return this;
    }

    public Builder put(String name, double value) {
      attributes.put(name, value);
      return this;
    }

    public Builder put(String name, boolean value) {
      attributes.put(name, value);
      return this;
    }

    /** A nested structure, deep-copied and normalised. */
    public Builder put(String name, Map<String, ?> value) {
      return putValue(name, value);
    }

    /** A list, deep-copied and normalised. */
    public Builder put(String name, List<?> value) {
      return putValue(name, value);
    }

    /**
     * Any JSON-like value, deep-copied and normalised.
     *
     * @throws IllegalArgumentException for a value that is not JSON-like
     */
    public Builder putValue(String name, Object value) {
      attributes.put(name, JsValues.normalize(value));
      return this;
    }

    public EvaluationContext build() {
      return attributes.isEmpty()
          ? EMPTY
          : new EvaluationContext(Collections.unmodifiableMap(new HashMap<>(attributes)));
    }
  }
}
