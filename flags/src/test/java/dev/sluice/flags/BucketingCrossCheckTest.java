package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.flags.internal.Murmur3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sluice's engine against flagd's bucketing on 100,000 keys for three splits (50/50, 10/30/60,
 * 1/99). The expected assignments come from src/test/resources/bucketing_crosscheck.py, which
 * computes flagd's integer rule with the PyPI package mmh3 — independently of this code — and wrote
 * bucketing_crosscheck.txt: per split, the number of keys per variant and a SHA-256 over every
 * key's variant in key order, so one differing key anywhere fails the test and CI needs no Python.
 *
 * <p>The same file holds how many keys flagd's older float rule (the Java provider up to 0.12) puts
 * in another variant; the second test recomputes that figure here, in Java's own float arithmetic,
 * so the figure quoted in docs/flags.md rests on two implementations.
 */
class BucketingCrossCheckTest {

  /** Every key length modulo 4, in ASCII and in 2-, 3- and 4-byte UTF-8, as the script has them. */
  private static final List<String> PREFIXES =
      List.of("user-", "ü-", "用户-", "😀-", "tenant-42/user-");

  /** One line of bucketing_crosscheck.txt. */
  record Split(
      String flag,
      Map<String, Integer> weights,
      int keys,
      Map<String, Integer> counts,
      String sha256,
      int floatRuleDiffer) {

    @Override
    public String toString() {
      return flag;
    }
  }

  static Stream<Split> splits() throws IOException {
    List<Split> splits = new ArrayList<>();
    try (InputStream in =
        BucketingCrossCheckTest.class.getResourceAsStream("/bucketing_crosscheck.txt")) {
      assertThat(in).as("bucketing_crosscheck.txt on the test classpath").isNotNull();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : line.split(" ")) {
          int eq = field.indexOf('=');
          fields.put(field.substring(0, eq), field.substring(eq + 1));
        }
        splits.add(
            new Split(
                fields.get("flag"),
                namedNumbers(fields.get("weights")),
                Integer.parseInt(fields.get("keys")),
                namedNumbers(fields.get("counts")),
                fields.get("sha256"),
                Integer.parseInt(fields.get("float_rule_differ"))));
      }
    }
    assertThat(splits).extracting(Split::flag).hasSize(3);
    return splits.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("splits")
  void everyKeyLandsInTheVariantFlagdsRuleGivesIt(Split split)
      throws FlagDefinitionException, NoSuchAlgorithmException {
    FlagEngine engine = FlagEngine.parse(document(split));
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    Map<String, Integer> counts = new LinkedHashMap<>();
    List<String> notSplit = new ArrayList<>();
    for (int i = 0; i < split.keys(); i++) {
      EvaluationResult<String> result =
          engine.evaluate(split.flag(), String.class, EvaluationContext.of(key(i)));
      if (result.reason() != Reason.SPLIT) {
        notSplit.add(key(i) + ": " + result);
      }
      counts.merge(result.variant(), 1, Integer::sum);
      sha256.update((result.variant() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    assertThat(split.keys()).isEqualTo(100_000);
    assertThat(notSplit).isEmpty();
    assertThat(counts).isEqualTo(split.counts());
    assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(split.sha256());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("splits")
  void flagdsOlderFloatRuleMovesAsManyKeysAsTheReferenceCounts(Split split)
      throws FlagDefinitionException {
    FlagEngine engine = FlagEngine.parse(document(split));
    int differ = 0;
    for (int i = 0; i < split.keys(); i++) {
      String key = key(i);
      String variant =
          engine.evaluate(split.flag(), String.class, EvaluationContext.of(key)).variant();
      if (!variant.equals(floatRule(Murmur3.hash(split.flag() + key), split.weights()))) {
        differ++;
      }
    }
    assertThat(differ).isEqualTo(split.floatRuleDiffer());
  }

  /**
   * The bucketing of flagd's Java provider up to 0.12 ({@code Fractional.distributeValue}), in
   * float: a bucket in [0, 100] from the hash read as signed (its absolute value over {@code
   * Integer.MAX_VALUE}; {@code Math.abs(MIN_VALUE)} stays negative), against running sums of float
   * percentages. {@code null} where the provider finds no bucket (it throws).
   */
  private static String floatRule(int hash, Map<String, Integer> weights) {
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    float bucket = (Math.abs(hash) * 1.0f / Integer.MAX_VALUE) * 100;
    float sum = 0;
    for (Map.Entry<String, Integer> weight : weights.entrySet()) {
      sum += weight.getValue() == 0 ? 0 : (float) (weight.getValue() * 100) / total;
      if (bucket < sum) {
        return weight.getKey();
      }
    }
    return null;
  }

  private static String key(int i) {
    return PREFIXES.get(i % PREFIXES.size()) + i;
  }

  private static String document(Split split) {
    List<String> variants = new ArrayList<>();
    List<String> entries = new ArrayList<>();
    split
        .weights()
        .forEach(
            (name, weight) -> {
              variants.add("\"%s\": \"%s\"".formatted(name, name));
              entries.add("[\"%s\", %d]".formatted(name, weight));
            });
    return """
        {"flags": {"%s": {"state": "ENABLED", "variants": {%s}, "defaultVariant": "%s",
          "targeting": {"fractional": [%s]}}}}
        """
        .formatted(
            split.flag(),
            String.join(", ", variants),
            split.weights().keySet().iterator().next(),
            String.join(", ", entries));
  }

  /** "a:10,b:30" in order. */
  private static Map<String, Integer> namedNumbers(String list) {
    Map<String, Integer> named = new LinkedHashMap<>();
    for (String entry : list.split(",")) {
      int colon = entry.lastIndexOf(':');
      named.put(entry.substring(0, colon), Integer.parseInt(entry.substring(colon + 1)));
    }
    return named;
  }
}
