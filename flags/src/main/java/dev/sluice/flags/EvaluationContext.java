package dev.sluice.flags;

import dev.sluice.flags.internal.JsValues;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The attributes a flag is evaluated against: an immutable map from names to JSON-like values —
 * {@code String}, {@code Double} (every number is normalised to a double once, when the context is
 * built), {@code Boolean}, nested {@code Map<String, Object>}, {@code List<Object>}, or {@code
 * null}.
 *
 * <p>The OpenFeature targeting key lives under the attribute {@value #TARGETING_KEY}, which is how
 * flagd exposes it to targeting rules ({@code {"var": "targetingKey"}}). Build a context once per
 * request and reuse it across flag evaluations: evaluating reads it without copying or boxing.
 *
 * <p>An adapter holding attributes in a model of its own (an OpenFeature provider) can instead hand
 * over a {@link #lazy} context, which reads and normalises an attribute only when targeting asks
 * for it: a flag without targeting converts nothing, one whose rules read two attributes of fifty
 * converts two.
 */
public final class EvaluationContext {

  /** The attribute holding the targeting key. */
  public static final String TARGETING_KEY = "targetingKey";

  private static final EvaluationContext EMPTY = new EvaluationContext(new HashMap<>());

  /**
   * Attributes kept elsewhere, read on demand by a {@link #lazy} context.
   *
   * <p>A lazy context reads its source only while an evaluation runs, so an adapter may keep one
   * source per thread and point it at another set of attributes between evaluations (never during
   * one).
   */
  public interface Source {
    /**
     * The attribute's value as JSON-like Java ({@code null}, {@code Boolean}, any {@code Number},
     * {@code CharSequence}, {@code Map} with string keys, {@code List}), or {@code null} when
     * absent. Asked for {@value #TARGETING_KEY}, the targeting key.
     */
    Object get(String name);

    /** The targeting key, or {@code null} when there is none. */
    String targetingKey();

    /** Every attribute, the targeting key included, as JSON-like Java; rarely asked for. */
    Map<String, ?> all();
  }

  // Read through the concrete HashMap, never changed after construction: a direct call on the
  // hot path, whatever other maps the application's code makes Map.get see.
  private final HashMap<String, Object> attributes; // null for a lazy context
  private final Map<String, Object> view; // unmodifiable; null for a lazy context
  private final String targetingKey;
  private final Source source; // null unless lazy

  private EvaluationContext(HashMap<String, Object> attributes) {
    this.attributes = attributes;
    this.view = Collections.unmodifiableMap(attributes);
    this.targetingKey = attributes.get(TARGETING_KEY) instanceof String key ? key : null;
    this.source = null;
  }

  private EvaluationContext(Source source) {
    this.attributes = null;
    this.view = null;
    this.targetingKey = null;
    this.source = source;
  }

  /**
   * A context whose attributes are read from {@code source} when targeting asks for them, each
   * normalised as it is read (a {@code Number} becomes a {@code Double}, a map or list a deep
   * copy).
   *
   * @throws IllegalArgumentException from an evaluation when the source answers a value that is not
   *     JSON-like (the engine reports it as a {@link ErrorCode#GENERAL} error)
   */
  public static EvaluationContext lazy(Source source) {
    return new EvaluationContext(Objects.requireNonNull(source, "source"));
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
    if (source == null) {
      return targetingKey;
    }
    return source.targetingKey();
  }

  /** The attribute's normalised value, or {@code null} when absent. */
  public Object get(String name) {
    if (source == null) {
      return attributes.get(name);
    }
    return JsValues.normalize(source.get(name));
  }

  /** Whether the attribute is present (possibly with a {@code null} value). */
  public boolean contains(String name) {
    return asMap().containsKey(name);
  }

  /** All attributes, unmodifiable; a lazy context reads and normalises all of them. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> asMap() {
    if (source == null) {
      return view;
    }
    return (Map<String, Object>) JsValues.normalize(source.all());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EvaluationContext that && asMap().equals(that.asMap());
  }

  @Override
  public int hashCode() {
    return asMap().hashCode();
  }

  @Override
  public String toString() {
    return "EvaluationContext" + asMap();
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
      return attributes.isEmpty() ? EMPTY : new EvaluationContext(new HashMap<>(attributes));
    }
  }
}
