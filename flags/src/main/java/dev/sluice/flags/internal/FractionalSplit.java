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
 *       no separator), and without a targeting key (or with an empty one) there is no bucket: the
 *       operation yields {@code null}, so the flag resolves to its default variant;
 *   <li>{@code h = murmur3_x86_32(UTF-8 bytes of the bucketing value, seed 0)} read as unsigned;
 *   <li>{@code bucket = (h * totalWeight) >> 32} in 64-bit arithmetic, in {@code [0, totalWeight)};
 *   <li>the first entry whose cumulative weight exceeds the bucket wins. A weight is a whole
 *       number, 1 when omitted or {@code null}; a negative one counts as 0 (flagd clamps it:
 *       weights can be the result of rollout arithmetic); a weight that is no whole number, one
 *       above {@code Integer.MAX_VALUE}, a sum above it, or a sum of 0 leave the context unbucketed
 *       ({@code null}). Weights may be computed ({@code {"if": …}}): they are evaluated per
 *       context.
 * </ul>
 *
 * <p>The default bucketing value is hashed from the hash's state after the flag key's bytes
 * (computed once) followed by the targeting key, without building the concatenated string. Literal
 * weights are summed once; only computed ones are evaluated per call (twice: once for the total,
 * once to find the bucket — they are pure, and this way nothing is allocated).
 */
final class FractionalSplit {

  /** {@link #weight}'s answer for a value that is no weight. */
  static final long INVALID_WEIGHT = -1;

  private final Murmur3.Prefix flagKeyPrefix; // the hash's state after the flag key's bytes
  private final Node bucketBy; // null: flagKey + targetingKey
  private final long[] cumulative; // literal weights; null when computed
  private final int totalWeight;
  private final Node[] weights; // computed weights; null when literal

  private FractionalSplit(
      String flagKey, Node bucketBy, long[] cumulative, int totalWeight, Node[] weights) {
    this.flagKeyPrefix = Murmur3.prefix(flagKey.getBytes(StandardCharsets.UTF_8));
    this.bucketBy = bucketBy;
    this.cumulative = cumulative;
    this.totalWeight = totalWeight;
    this.weights = weights;
  }

  /** A split with literal weights, already checked: non-negative, summing to 1..MAX_VALUE. */
  static FractionalSplit literal(String flagKey, Node bucketBy, long[] weights) {
    long[] cumulative = new long[weights.length];
    long sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cumulative[i] = sum;
    }
    return new FractionalSplit(flagKey, bucketBy, cumulative, (int) sum, null);
  }

  /** A split whose weights are evaluated per context. */
  static FractionalSplit computed(String flagKey, Node bucketBy, Node[] weights) {
    return new FractionalSplit(flagKey, bucketBy, null, 0, weights);
  }

  /**
   * flagd's reading of a weight: 1 for {@code null}, a whole number with negatives as 0, else
   * {@link #INVALID_WEIGHT}.
   */
  static long weight(Object value) {
    if (value == null) {
      return 1;
    }
    if (!(value instanceof Double d) || d != Math.rint(d) || d > Integer.MAX_VALUE) {
      return INVALID_WEIGHT; // NaN and infinities fail rint or the bound
    }
    return d < 0 ? 0 : d.longValue();
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
      if (targetingKey == null || targetingKey.isEmpty()) {
        return -1;
      }
      hash = Murmur3.hash(flagKeyPrefix, targetingKey);
    }
    if (weights == null) {
      long bucket = Murmur3.bucket(hash, totalWeight);
      for (int i = 0; i < cumulative.length; i++) {
        if (bucket < cumulative[i]) {
          return i;
        }
      }
      return -1; // unreachable: bucket < totalWeight
    }
    return chooseComputed(hash, ctx);
  }

  private int chooseComputed(int hash, EvaluationContext ctx) {
    long total = 0;
    for (Node w : weights) {
      long weight = weight(w.eval(ctx));
      if (weight == INVALID_WEIGHT) {
        return -1;
      }
      total += weight;
    }
    if (total == 0 || total > Integer.MAX_VALUE) {
      return -1;
    }
    long bucket = Murmur3.bucket(hash, (int) total);
    long end = 0;
    for (int i = 0; i < weights.length; i++) {
      end += weight(weights[i].eval(ctx));
      if (bucket < end) {
        return i;
      }
    }
    return -1; // unreachable: bucket < total
  }
}
