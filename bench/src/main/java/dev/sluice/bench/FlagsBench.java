package dev.sluice.bench;

import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.NoOpProvider;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagEngine;
import dev.sluice.flags.Reason;
import dev.sluice.flags.openfeature.SluiceProvider;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Flag evaluation cost, with JMH, Sluice beside flagd's Java provider ({@code
 * dev.openfeature.contrib.providers:flagd}, in-process resolver reading an offline file) in one
 * run, on the same two flags and contexts:
 *
 * <ul>
 *   <li>{@code static}, {@code rules_split}: Sluice's engine alone, on a flag without targeting and
 *       on one with two targeting rules that miss, then a fractional split on the targeting key (a
 *       context with a targeting key and two attributes);
 *   <li>{@code openfeature_provider_only}, {@code flagd_provider_only}: each provider called
 *       directly on {@code rules_split}, to separate its cost from the SDK client's;
 *   <li>{@code openfeature_static}, {@code openfeature} (Sluice) and {@code flagd_static}, {@code
 *       flagd}: both flags through one OpenFeature client API, with one reused context;
 *   <li>the same with {@code _rotating}: a different context object on every call (1,024 of them,
 *       each its own targeting key), the normal case in a server.
 * </ul>
 *
 * Prints one {@code BENCH flags case=… ns_per_op=… bytes_per_op=… ratio_to_flagd=…} line per case:
 * bytes are JMH's {@code gc.alloc.rate.norm}; {@code ratio_to_flagd} is flagd's time on the same
 * case divided by this one's (how many times faster than flagd; 1 on flagd's own lines), the
 * engine's cases against flagd's provider called directly. First, {@link FlagdBucketingBench}'s
 * lines: how many of 100,000 users flagd's provider buckets differently.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FlagsBench {

  static final String DOCUMENT =
      """
      {"flags": {
        "static": {"state": "ENABLED", "variants": {"on": true, "off": false},
                   "defaultVariant": "on"},
        "rules_split": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"if": [
            {"in": [{"var": "country"}, ["NL", "BE", "LU"]]}, "on",
            {"ends_with": [{"var": "email"}, "@example.com"]}, "on",
            {"fractional": [["on", 10], ["off", 90]]}
          ]}
        }
      }}
      """;

  static final String TARGETING_KEY = "user-1234567";
  static final String COUNTRY = "US";
  static final String EMAIL = "kim@elsewhere.org";

  static final int ROTATING = 1024; // a power of two

  private FlagEngine engine;
  private EvaluationContext context;
  private Client client;
  private SluiceProvider provider;
  private ImmutableContext openFeatureContext;
  private ImmutableContext[] rotating;
  private int next;
  private String domain;
  private Client flagdClient;
  private FlagdProvider flagdProvider;
  private String flagdDomain;
  private Path flagdFile;

  @Setup
  public void setUp() throws Exception {
    engine = FlagEngine.parse(DOCUMENT);
    context =
        EvaluationContext.builder()
            .targetingKey(TARGETING_KEY)
            .put("country", COUNTRY)
            .put("email", EMAIL)
            .build();
    EvaluationResult<Boolean> check = engine.evaluate("rules_split", Boolean.class, context);
    if (check.reason() != Reason.SPLIT) {
      throw new IllegalStateException("rules_split should split: " + check);
    }
    domain = "bench-" + System.nanoTime();
    provider = SluiceProvider.ofDocument(DOCUMENT);
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, provider);
    client = OpenFeatureAPI.getInstance().getClient(domain);
    Map<String, Value> attributes = new HashMap<>();
    attributes.put("country", new Value(COUNTRY));
    attributes.put("email", new Value(EMAIL));
    openFeatureContext = new ImmutableContext(TARGETING_KEY, attributes);
    var details = client.getBooleanDetails("rules_split", true, openFeatureContext);
    if (!"SPLIT".equals(details.getReason()) || details.getValue() != check.value()) {
      throw new IllegalStateException("openfeature differs from the engine: " + details);
    }
    rotating = new ImmutableContext[ROTATING];
    for (int i = 0; i < ROTATING; i++) {
      Map<String, Value> each = new HashMap<>(attributes);
      rotating[i] = new ImmutableContext("user-" + (1_000_000 + i), each);
    }

    flagdFile = Files.createTempFile("flags-bench-", ".flagd.json");
    Files.writeString(flagdFile, DOCUMENT);
    flagdDomain = "bench-flagd-" + System.nanoTime();
    flagdProvider =
        new FlagdProvider(
            FlagdOptions.builder()
                .resolverType(Config.Resolver.FILE)
                .offlineFlagSourcePath(flagdFile.toString())
                .build());
    OpenFeatureAPI.getInstance().setProviderAndWait(flagdDomain, flagdProvider);
    flagdClient = OpenFeatureAPI.getInstance().getClient(flagdDomain);
    // Both resolve both flags without error to a variant (flagd's Java provider up to 0.12
    // buckets with its older float rule and reports a split as TARGETING_MATCH, so the split's
    // variant and reason may differ; the work does not).
    for (String flag : List.of("static", "rules_split")) {
      var flagd = flagdClient.getBooleanDetails(flag, false, openFeatureContext);
      if (flagd.getErrorCode() != null || flagd.getVariant() == null) {
        throw new IllegalStateException("flagd did not resolve " + flag + ": " + flagd);
      }
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, new NoOpProvider());
    OpenFeatureAPI.getInstance().setProviderAndWait(flagdDomain, new NoOpProvider());
    Files.deleteIfExists(flagdFile);
  }

  private ImmutableContext nextContext() {
    return rotating[next++ & (ROTATING - 1)];
  }

  @Benchmark
  public EvaluationResult<Boolean> staticFlag() {
    return engine.evaluate("static", Boolean.class, context);
  }

  @Benchmark
  public EvaluationResult<Boolean> rulesSplit() {
    return engine.evaluate("rules_split", Boolean.class, context);
  }

  /** The provider alone, without the client: what the OpenFeature SDK itself adds is the rest. */
  @Benchmark
  public Object provider() {
    return provider.getBooleanEvaluation("rules_split", false, openFeatureContext);
  }

  @Benchmark
  public Object flagdProviderOnly() {
    return flagdProvider.getBooleanEvaluation("rules_split", false, openFeatureContext);
  }

  @Benchmark
  public boolean openFeatureStatic() {
    return client.getBooleanValue("static", false, openFeatureContext);
  }

  @Benchmark
  public boolean openFeatureStaticRotating() {
    return client.getBooleanValue("static", false, nextContext());
  }

  @Benchmark
  public boolean openFeature() {
    return client.getBooleanValue("rules_split", false, openFeatureContext);
  }

  @Benchmark
  public boolean openFeatureRotating() {
    return client.getBooleanValue("rules_split", false, nextContext());
  }

  @Benchmark
  public boolean flagdStatic() {
    return flagdClient.getBooleanValue("static", false, openFeatureContext);
  }

  @Benchmark
  public boolean flagdStaticRotating() {
    return flagdClient.getBooleanValue("static", false, nextContext());
  }

  @Benchmark
  public boolean flagd() {
    return flagdClient.getBooleanValue("rules_split", false, openFeatureContext);
  }

  @Benchmark
  public boolean flagdRotating() {
    return flagdClient.getBooleanValue("rules_split", false, nextContext());
  }

  /** A case: its benchmark method, its BENCH name, and the method of flagd's same case. */
  private record Case(String method, String name, String flagdMethod) {}

  private static final List<Case> CASES =
      List.of(
          new Case("staticFlag", "static", "flagdProviderOnly"),
          new Case("rulesSplit", "rules_split", "flagdProviderOnly"),
          new Case("provider", "openfeature_provider_only", "flagdProviderOnly"),
          new Case("openFeatureStatic", "openfeature_static", "flagdStatic"),
          new Case(
              "openFeatureStaticRotating", "openfeature_static_rotating", "flagdStaticRotating"),
          new Case("openFeature", "openfeature", "flagd"),
          new Case("openFeatureRotating", "openfeature_rotating", "flagdRotating"),
          new Case("flagdProviderOnly", "flagd_provider_only", "flagdProviderOnly"),
          new Case("flagdStatic", "flagd_static", "flagdStatic"),
          new Case("flagdStaticRotating", "flagd_static_rotating", "flagdStaticRotating"),
          new Case("flagd", "flagd", "flagd"),
          new Case("flagdRotating", "flagd_rotating", "flagdRotating"));

  /** Runs every case in one forked JVM and prints a BENCH line for each. */
  static void run(PrintStream out) throws Exception {
    FlagdBucketingBench.run(out);
    Options options =
        new OptionsBuilder()
            .include(FlagsBench.class.getName() + "\\.")
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(1))
            .addProfiler(GCProfiler.class)
            .build();
    Map<String, RunResult> byMethod = new HashMap<>();
    for (RunResult result : new Runner(options).run()) {
      String benchmark = result.getParams().getBenchmark();
      byMethod.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result);
    }
    for (Case c : CASES) {
      RunResult result = result(byMethod, c.method());
      double flagdNs = result(byMethod, c.flagdMethod()).getPrimaryResult().getScore();
      double ns = result.getPrimaryResult().getScore();
      Result<?> bytes = result.getSecondaryResults().get("gc.alloc.rate.norm");
      out.printf(
          Locale.ROOT,
          "BENCH flags case=%s ns_per_op=%.1f bytes_per_op=%.1f ratio_to_flagd=%.1f%n",
          c.name(),
          ns,
          bytes == null ? Double.NaN : bytes.getScore(),
          flagdNs / ns);
    }
  }

  private static RunResult result(Map<String, RunResult> byMethod, String method) {
    RunResult result = byMethod.get(method);
    if (result == null) {
      throw new IllegalStateException("no result for " + method);
    }
    return result;
  }
}
