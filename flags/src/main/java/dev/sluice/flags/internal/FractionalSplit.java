package dev.sluice.flags.internal;

import dev.sluice.flags.EvaluationContext;
import java.nio.charset.StandardCharsets;

/**
 * flagd's {@code fractional} bucketing, as implemented in flagd's {@code
 * core/pkg/evaluator/fractional.go} since the "high-precision fractional bucketing" change
 * (open-feature/flagd#1903, PR #1909, released with the providers' "fractional bucketing
 * improvements"):
 *
 * <ul>
 *   <li>the bucketing value is the first argument when it evaluates to a string; when it is omitted
 *       or evaluates to {@code null}, it is {@code flagKey + targetingKey} (string concatenation,
 *       no separator), and without a targeting key there is no bucket: the operation yields {@code
 *       null}, so the flag resolves to its default variant;
 *   <li>{@code h = murmur3_x86_32(UTF-8 bytes of the bucketing value, seed 0)} read as unsigned;
 *   <li>{@code bucket = (h * totalWeight) >> 32} in 64-bit arithmetic, in {@code [0, totalWeight)};
 *   <li>the first entry whose cumulative weight exceeds the bucket wins; a weight defaults to 1
 *       when omitted, weights are non-negative integers summing to at most {@code
 *       Integer.MAX_VALUE}.
 * </ul>
 *
 * <p>The default bucketing value is hashed from the flag key's precomputed bytes followed by the
 * targeting key, without building the concatenated string.
 */
final class FractionalSplit {

  private final byte[] flagKeyBytes;
  private final Node bucketBy; // null: flagKey + targetingKey
  private final long[] cumulative;
  private final int totalWeight;

  FractionalSplit(String flagKey, Node bucketBy, int[] weights) {
    this.flagKeyBytes = flagKey.getBytes(StandardCharsets.UTF_8);
    this.bucketBy = bucketBy;
    this.cumulative = new long[weights.length];
    long sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cumulative[i] = sum;
    }
    this.totalWeight = (int) sum;
  }

  /** The index of the chosen entry, or -1 when the context cannot be bucketed. */
  int choose(EvaluationContext ctx) {
    int hash;
    Object value = bucketBy == null ? null : bucketBy.eval(ctx);
    if (value instanceof String s) {
      hash = Murmur3.hash(s);
    } else if (value != null) {
      return -1; // flagd: a bucketing value that is neither a string nor null is an error
    } else {
      String targetingKey = ctx.targetingKey();
      if (targetingKey == null) {
        return -1;
      }
      hash = Murmur3.hash(flagKeyBytes, targetingKey);
    }
    long bucket = Murmur3.bucket(hash, totalWeight);
    for (int i = 0; i < cumulative.length; i++) {
      if (bucket < cumulative[i]) {
        return i;
      }
    }
    return -1; // unreachable: bucket < totalWeight
  }
}
