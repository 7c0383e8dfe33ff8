package dev.sluice.flags.openfeature;

import dev.sluice.flags.EvaluationContext;
import java.util.Map;

/**
 * OpenFeature contexts as Sluice ones without converting them: each thread keeps one {@link
 * EvaluationContext#lazy lazy} Sluice context whose source is pointed at the OpenFeature context of
 * the evaluation in progress. Targeting reads only the attributes it references, each converted as
 * it is read (a string or a boolean as it is, a number as a {@code Double}, a structure or list as
 * a deep copy); a flag without targeting reads none. Nothing is allocated per evaluation for this,
 * and nothing is remembered between evaluations, so a different context on every call costs the
 * same as one reused, and a context changed between calls (a {@code MutableContext}) is read as it
 * is.
 */
final class LazyContexts {

  private final ThreadLocal<View> views = ThreadLocal.withInitial(View::new);

  /**
   * The thread's view of {@code context}, until {@link View#close}; call both around one
   * evaluation.
   */
  View open(dev.openfeature.sdk.EvaluationContext context) {
    View view = views.get();
    if (view.open) {
      view = new View(); // an evaluation inside an evaluation: never expected, but stay correct
    }
    view.current = context;
    view.open = true;
    return view;
  }

  /** One thread's lazy Sluice context and the OpenFeature context it reads. */
  static final class View implements EvaluationContext.Source, AutoCloseable {
    private final EvaluationContext sluice = EvaluationContext.lazy(this);
    private dev.openfeature.sdk.EvaluationContext current;
    private boolean open;

    /** The Sluice context reading the OpenFeature one. */
    EvaluationContext context() {
      return sluice;
    }

    @Override
    public Object get(String name) {
      if (current == null) {
        return null;
      }
      if (EvaluationContext.TARGETING_KEY.equals(name)) {
        return targetingKey();
      }
      return Values.toJava(current.getValue(name));
    }

    @Override
    public String targetingKey() {
      if (current == null) {
        return null;
      }
      String key = current.getTargetingKey();
      return key == null || key.isEmpty() ? null : key;
    }

    @Override
    public Map<String, ?> all() {
      return Values.toSluice(current).asMap();
    }

    /** Lets go of the OpenFeature context (so a thread does not keep the last one alive). */
    @Override
    public void close() {
      current = null;
      open = false;
    }
  }
}
