package dev.sluice.flags.openfeature;

import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.Structure;
import dev.openfeature.sdk.Value;
import dev.sluice.flags.EvaluationContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Conversions between OpenFeature's value model and Sluice's JSON-like one. */
final class Values {

  private Values() {}

  /**
   * An OpenFeature evaluation context as a Sluice one: every attribute (nested structures and lists
   * included), then the targeting key under {@value EvaluationContext#TARGETING_KEY}. Instants
   * become ISO-8601 strings, as JSON has no time type.
   */
  static EvaluationContext toSluice(dev.openfeature.sdk.EvaluationContext context) {
    if (context == null) {
      return EvaluationContext.empty();
    }
    return toSluice(context.asUnmodifiableMap(), context.getTargetingKey());
  }

  static EvaluationContext toSluice(Map<String, Value> attributes, String targetingKey) {
    boolean hasKey = targetingKey != null && !targetingKey.isEmpty();
    if (attributes.isEmpty()) {
      return hasKey ? EvaluationContext.of(targetingKey) : EvaluationContext.empty();
    }
    EvaluationContext.Builder builder = EvaluationContext.builder();
    for (Map.Entry<String, Value> attribute : attributes.entrySet()) {
      builder.putValue(attribute.getKey(), toJava(attribute.getValue()));
    }
    if (hasKey) {
      builder.targetingKey(targetingKey);
    }
    return builder.build();
  }

  /** Whether a value holds nothing that could change after it was read (no nested structure). */
  static boolean isScalar(Value value) {
    return value == null || !(value.isStructure() || value.isList());
  }

  /** A value as plain Java: null, Boolean, String, Number, Map, List (and Instant as a string). */
  static Object toJava(Value value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isString()) {
      return value.asString();
    }
    if (value.isNumber()) {
      return value.asObject();
    }
    if (value.isStructure()) {
      Map<String, Object> map = new HashMap<>();
      value.asStructure().asUnmodifiableMap().forEach((k, v) -> map.put(k, toJava(v)));
      return map;
    }
    if (value.isList()) {
      List<Object> list = new ArrayList<>();
      for (Value item : value.asList()) {
        list.add(toJava(item));
      }
      return list;
    }
    if (value.isInstant()) {
      return value.asInstant().toString();
    }
    return value.asObject();
  }

  /** A Sluice value (null, Boolean, String, Double, Map, List) as an OpenFeature value. */
  static Value toValue(Object value) {
    if (value == null) {
      return new Value();
    }
    if (value instanceof Boolean b) {
      return new Value(b);
    }
    if (value instanceof String s) {
      return new Value(s);
    }
    if (value instanceof Integer i) {
      return new Value(i);
    }
    if (value instanceof Long l) {
      return new Value(l);
    }
    if (value instanceof Number n) {
      return new Value(n.doubleValue());
    }
    if (value instanceof Map<?, ?> map) {
      return new Value(toStructure(map));
    }
    if (value instanceof List<?> list) {
      List<Value> values = new ArrayList<>(list.size());
      for (Object item : list) {
        values.add(toValue(item));
      }
      return new Value(values);
    }
    return new Value(value.toString());
  }

  private static Structure toStructure(Map<?, ?> map) {
    Map<String, Value> attributes = new HashMap<>();
    map.forEach((k, v) -> attributes.put(String.valueOf(k), toValue(v)));
    return new ImmutableStructure(attributes);
  }

  /**
   * Flag metadata in OpenFeature's form. flagd metadata values are strings, booleans and numbers;
   * JSON numbers arrive as doubles and are added as integers when integral and in range (so {@code
   * getInteger("version")} works), else as doubles. Other values are skipped.
   */
  static ImmutableMetadata toMetadata(Map<String, Object> metadata) {
    if (metadata == null || metadata.isEmpty()) {
      return ImmutableMetadata.EMPTY;
    }
    ImmutableMetadata.ImmutableMetadataBuilder builder = ImmutableMetadata.builder();
    metadata.forEach(
        (key, value) -> {
          if (value instanceof String s) {
            builder.addString(key, s);
          } else if (value instanceof Boolean b) {
            builder.addBoolean(key, b);
          } else if (value instanceof Integer i) {
            builder.addInteger(key, i);
          } else if (value instanceof Long l) {
            builder.addLong(key, l);
          } else if (value instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
              builder.addInteger(key, (int) d);
            } else {
              builder.addDouble(key, d);
            }
          }
        });
    return builder.build();
  }
}
