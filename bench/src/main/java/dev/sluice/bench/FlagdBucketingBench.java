package dev.sluice.bench;

import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.NoOpProvider;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.FlagEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * How many users flagd's Java provider on the classpath (0.11.15, which buckets with the float rule
 * every provider up to 0.12 has) puts in another variant than Sluice, which buckets as flagd does
 * today: 100,000 targeting keys {@code user-0 … user-99999} on the splits 50/50, 10/30/60 and 1/99,
 * each key evaluated by both. Prints one {@code BENCH flags case=bucketing_vs_flagd_provider …}
 * line per split with the count and share of keys that differ. BucketingCrossCheckTest pins
 * Sluice's side against flagd's current rule (Python's mmh3) and the float rule's figure on its own
 * keys; this line measures the real old provider.
 */
final class FlagdBucketingBench {

  static final int KEYS = 100_000;

  private record Split(String name, String flag, String entries) {}

  private static final List<Split> SPLITS =
      List.of(
          new Split("50/50", "split-50-50", "[\"a\", 50], [\"b\", 50]"),
          new Split("10/30/60", "split-10-30-60", "[\"a\", 10], [\"b\", 30], [\"c\", 60]"),
          new Split("1/99", "split-1-99", "[\"a\", 1], [\"b\", 99]"));

  private FlagdBucketingBench() {}

  static void run(PrintStream out) throws Exception {
    StringBuilder flags = new StringBuilder();
    for (Split split : SPLITS) {
      flags.append(flags.isEmpty() ? "" : ",\n");
      flags.append(
          """
            "%s": {"state": "ENABLED", "variants": {"a": "a", "b": "b", "c": "c"},
              "defaultVariant": "a", "targeting": {"fractional": [%s]}}"""
              .formatted(split.flag(), split.entries()));
    }
    String document = "{\"flags\": {\n" + flags + "\n}}";
    FlagEngine engine = FlagEngine.parse(document);
    Path file = Files.createTempFile("flags-bucketing-", ".flagd.json");
    String domain = "bucketing-flagd-" + System.nanoTime();
    try {
      Files.writeString(file, document);
      FlagdProvider flagd =
          new FlagdProvider(
              FlagdOptions.builder()
                  .resolverType(Config.Resolver.FILE)
                  .offlineFlagSourcePath(file.toString())
                  .build());
      OpenFeatureAPI.getInstance().setProviderAndWait(domain, flagd);
      String version = flagdVersion();
      for (Split split : SPLITS) {
        int differ = 0;
        for (int i = 0; i < KEYS; i++) {
          String key = "user-" + i;
          String sluice =
              engine.evaluate(split.flag(), String.class, EvaluationContext.of(key)).variant();
          ProviderEvaluation<String> theirs =
              flagd.getStringEvaluation(split.flag(), "none", new ImmutableContext(key));
          if (theirs.getErrorCode() != null) {
            throw new IllegalStateException("flagd failed on " + key + ": " + theirs);
          }
          if (!theirs.getValue().equals(sluice)) {
            differ++;
          }
        }
        out.printf(
            Locale.ROOT,
            "BENCH flags case=bucketing_vs_flagd_provider flagd_provider=%s split=%s keys=%d"
                + " differ=%d differ_pct=%.2f%n",
            version,
            split.name(),
            KEYS,
            differ,
            100.0 * differ / KEYS);
      }
    } finally {
      OpenFeatureAPI.getInstance().setProviderAndWait(domain, new NoOpProvider());
      Files.deleteIfExists(file);
    }
  }

  /** The provider's version, from the pom.properties Maven packs into its jar. */
  private static String flagdVersion() throws IOException {
    try (InputStream in =
        FlagdProvider.class.getResourceAsStream(
            "/META-INF/maven/dev.openfeature.contrib.providers/flagd/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    }
  }
}
