package dev.sluice.flags.openfeature;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import dev.sluice.flags.EvaluationResult;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenFeature form of one snapshot's results, made once and shared. The engine hands out one
 * {@link EvaluationResult} per flag, variant and reason; its {@link ProviderEvaluation} is built on
 * first use and handed out again to every later evaluation that lands there, so a successful
 * evaluation allocates nothing here. The flag metadata is converted once per flag.
 *
 * <p>Sharing is safe with the OpenFeature Java SDK (1.22): its client only reads a provider's
 * evaluation (into a new {@code FlagEvaluationDetails}, which its hooks get) and never calls a
 * setter or writes a field of it. A caller of the provider itself could, so a shared evaluation
 * refuses every setter ({@link UnsupportedOperationException}) instead of changing what everyone
 * else is answered.
 *
 * <p>What depends on the caller is not shared: a result without a value (disabled, no default
 * variant) answers the caller's default, and an error carries it too; those are built per call, as
 * are object flags' evaluations (a {@link Value} holding a structure can be changed).
 */
final class ProviderEvaluations {

  private static final int MAX_FLAGS = 10_000; // keys probed by callers must not grow it unbounded
  private static final int MAX_SHARED_PER_FLAG = 64;

  private final Map<String, PerFlag> flags = new ConcurrentHashMap<>();

  /** One flag's converted metadata and the evaluations shared so far, copied on write. */
  private static final class PerFlag {
    final Map<String, Object> source;
    final ImmutableMetadata metadata;
    volatile Entry[] shared = new Entry[0];

    PerFlag(Map<String, Object> source) {
      this.source = source;
      this.metadata = Values.toMetadata(source);
    }
  }

  private record Entry(EvaluationResult<?> result, ProviderEvaluation<?> evaluation) {}

  /**
   * The evaluation answering {@code result} of flag {@code key}, a flag of a boolean, string or
   * number type (their values are immutable): shared when it carries the flag's value.
   */
  <T> ProviderEvaluation<T> of(String key, EvaluationResult<T> result, T defaultValue) {
    PerFlag flag = flag(key, result);
    if (result.errorCode() != null || result.value() == null) {
      return perCall(flag, result, result.value(), defaultValue);
    }
    Entry[] shared = flag.shared;
    for (Entry entry : shared) {
      if (entry.result() == result) {
        @SuppressWarnings("unchecked")
        ProviderEvaluation<T> evaluation = (ProviderEvaluation<T>) entry.evaluation();
        return evaluation;
      }
    }
    Shared<T> evaluation =
        new Shared<>(result.value(), result.variant(), result.reason().name(), flag.metadata);
    if (shared.length < MAX_SHARED_PER_FLAG) {
      // Two threads may both add one; the later write wins and the other is built again: harmless.
      Entry[] more = Arrays.copyOf(shared, shared.length + 1);
      more[shared.length] = new Entry(result, evaluation);
      flag.shared = more;
    }
    return evaluation;
  }

  /**
   * The evaluation answering {@code result} of object flag {@code key}, built per call: an
   * OpenFeature {@link Value} holding a structure can be changed by whoever receives it.
   */
  ProviderEvaluation<Value> ofObject(String key, EvaluationResult<?> result, Value defaultValue) {
    PerFlag flag = flag(key, result);
    Value value = result.value() == null ? null : Values.toValue(result.value());
    return perCall(flag, result, value, defaultValue);
  }

  private PerFlag flag(String key, EvaluationResult<?> result) {
    PerFlag flag = key == null ? null : flags.get(key);
    if (flag == null || flag.source != result.flagMetadata()) {
      flag = new PerFlag(result.flagMetadata());
      if (key != null && flags.size() < MAX_FLAGS) {
        flags.put(key, flag);
      }
    }
    return flag;
  }

  private static <T> ProviderEvaluation<T> perCall(
      PerFlag flag, EvaluationResult<?> result, T value, T defaultValue) {
    if (result.errorCode() != null) {
      return new ProviderEvaluation<>(
          defaultValue,
          null,
          Reason.ERROR.name(),
          SluiceProvider.errorCode(result.errorCode()),
          result.errorMessage(),
          flag.metadata);
    }
    // DISABLED, and DEFAULT without a default variant, carry no value: the caller's default.
    return new ProviderEvaluation<>(
        value != null ? value : defaultValue,
        result.variant(),
        result.reason().name(),
        null,
        null,
        flag.metadata);
  }

  /** An evaluation handed to many callers: read-only. */
  static final class Shared<T> extends ProviderEvaluation<T> {

    Shared(T value, String variant, String reason, ImmutableMetadata metadata) {
      super(value, variant, reason, null, null, metadata);
    }

    @Override
    public void setValue(T value) {
      throw refused();
    }

    @Override
    public void setVariant(String variant) {
      throw refused();
    }

    @Override
    public void setReason(String reason) {
      throw refused();
    }

    @Override
    public void setErrorCode(ErrorCode errorCode) {
      throw refused();
    }

    @Override
    public void setErrorMessage(String errorMessage) {
      throw refused();
    }

    @Override
    public void setFlagMetadata(ImmutableMetadata flagMetadata) {
      throw refused();
    }

    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException(
          "this ProviderEvaluation is shared by every evaluation with the same outcome; copy it"
              + " to change it");
    }
  }
}
