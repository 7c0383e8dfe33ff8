package dev.sluice.flags.openfeature;

import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.LayeredEvaluationContext;
import dev.openfeature.sdk.Value;
import dev.sluice.flags.EvaluationContext;
import java.util.Map;
import java.util.Objects;

/**
 * Converts OpenFeature contexts to Sluice ones, remembering the last conversion per thread: a
 * request usually evaluates many flags against one context, and building a Sluice context costs
 * more than evaluating most flags.
 *
 * <p>The remembered attributes are compared by content. Only maps nobody can change are remembered:
 * those of an {@link ImmutableContext}, and the resolved map of the SDK's {@link
 * LayeredEvaluationContext} (a private copy built per evaluation), and only when every value is a
 * scalar (a nested structure could be a caller's mutable one).
 */
final class ContextConverter {

  private record Last(Map<String, Value> attributes, String targetingKey, EvaluationContext ctx) {}

  private final ThreadLocal<Last> last = new ThreadLocal<>();

  EvaluationContext toSluice(dev.openfeature.sdk.EvaluationContext context) {
    if (context == null) {
      return EvaluationContext.empty();
    }
    Map<String, Value> attributes = context.asUnmodifiableMap();
    String targetingKey = context.getTargetingKey();
    boolean cacheable =
        context instanceof ImmutableContext || context instanceof LayeredEvaluationContext;
    if (!cacheable) {
      return Values.toSluice(attributes, targetingKey);
    }
    Last previous = last.get();
    if (previous != null
        && Objects.equals(previous.targetingKey(), targetingKey)
        && (previous.attributes() == attributes || previous.attributes().equals(attributes))) {
      return previous.ctx();
    }
    EvaluationContext converted = Values.toSluice(attributes, targetingKey);
    if (allScalar(attributes)) {
      last.set(new Last(attributes, targetingKey, converted));
    }
    return converted;
  }

  private static boolean allScalar(Map<String, Value> attributes) {
    for (Value value : attributes.values()) {
      if (!Values.isScalar(value)) {
        return false;
      }
    }
    return true;
  }
}
