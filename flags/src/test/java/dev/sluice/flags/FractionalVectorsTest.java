package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.flags.internal.Murmur3;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bucketing vectors computed independently of this code, with the PyPI package mmh3, by
 * src/test/resources/fractional_vectors.py: flagKey, targetingKey, unsigned hash of their
 * concatenation, bucket, expected variant, and the weights.
 */
class FractionalVectorsTest {

  static Stream<Arguments> vectors() {
    String colors = "red:25,blue:25,green:25,yellow:25";
    return Stream.of(
        Arguments.of("headerColor", "user-1", 2464466138L, 57L, "green", colors),
        Arguments.of("headerColor", "user-2", 3556701001L, 82L, "yellow", colors),
        Arguments.of(
            "new-checkout",
            "5c3d8535-f81a-4478-a6d3-afaa4d51199e",
            1222493911L,
            28L,
            "off",
            "on:10,off:90"),
        Arguments.of("new-checkout", "alice@example.com", 3119025750L, 72L, "off", "on:10,off:90"),
        Arguments.of("new-checkout", "bob@example.com", 3676293840L, 85L, "off", "on:50,off:50"),
        Arguments.of("new-checkout", "user-9", 193585839L, 4L, "on", "on:10,off:90"),
        Arguments.of("new-checkout", "user-14", 24887335L, 0L, "on", "on:10,off:90"),
        Arguments.of("rollout", "", 2417013076L, 1L, "off", "on:1,off:1"),
        Arguments.of("rollout", "x", 1636672804L, 381067L, "off", "on:1,off:999999"),
        Arguments.of("banner", "ümlaut-ß-用户-😀", 2142917711L, 2L, "b", "a:1,b:2,c:3"),
        Arguments.of("k", "abc", 1277813748L, 638906873L, "a", "a:2147483646,b:1"),
        Arguments.of(
            "feature-x",
            "tenant-42/user-7",
            3697593563L,
            86L,
            "treatment-b",
            "control:33,treatment-a:33,treatment-b:34"),
        Arguments.of("", "", 0L, 0L, "only", "only:100"),
        Arguments.of("abcd", "efgh", 1239272644L, 2L, "a", "a:3,b:7"));
  }

  @ParameterizedTest(name = "{0} + {1} -> {4}")
  @MethodSource("vectors")
  void hashBucketAndVariantMatchTheReference(
      String flagKey, String targetingKey, long hash, long bucket, String variant, String weights)
      throws FlagDefinitionException {
    int h = Murmur3.hash(flagKey.getBytes(StandardCharsets.UTF_8), targetingKey);
    assertThat(h & 0xffffffffL).isEqualTo(hash);
    assertThat(Murmur3.hash(flagKey + targetingKey)).isEqualTo(h);

    List<String> entries = new ArrayList<>();
    List<String> variants = new ArrayList<>();
    long total = 0;
    for (String entry : weights.split(",")) {
      String[] parts = entry.split(":");
      entries.add("[\"" + parts[0] + "\", " + parts[1] + "]");
      variants.add("\"" + parts[0] + "\": \"" + parts[0] + "\"");
      total += Long.parseLong(parts[1]);
    }
    assertThat(Murmur3.bucket(h, (int) total)).isEqualTo(bucket);

    String doc =
        """
        {"flags": {"%s": {"state": "ENABLED", "variants": {%s}, "defaultVariant": "%s",
          "targeting": {"fractional": [%s]}}}}
        """
            .formatted(
                flagKey,
                String.join(", ", variants),
                weights.split(":")[0],
                String.join(", ", entries));
    EvaluationResult<String> result =
        FlagEngine.parse(doc).evaluate(flagKey, String.class, EvaluationContext.of(targetingKey));
    if (targetingKey.isEmpty()) {
      // flagd buckets no context whose targeting key is empty: the default variant.
      assertThat(result.reason()).isEqualTo(Reason.DEFAULT);
      return;
    }
    assertThat(result.variant()).isEqualTo(variant);
    assertThat(result.reason()).isEqualTo(Reason.SPLIT);
  }
}
