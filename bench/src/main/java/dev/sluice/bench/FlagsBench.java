package dev.sluice.bench;

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
 * Flag evaluation cost, with JMH: {@code static} (a flag without targeting), {@code rules_split}
 * (two targeting rules that miss, then a fractional split on the targeting key; a context with a
 * targeting key and two attributes) and {@code openfeature} (the same flag through the OpenFeature
 * client API and {@link SluiceProvider}, from an in-process document), plus {@code
 * openfeature_provider_only} (the provider called directly, to separate its cost from the SDK
 * client's). Prints one {@code BENCH flags case=… ns_per_op=… bytes_per_op=…} line per case; bytes
 * are JMH's {@code gc.alloc.rate.norm}.
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

  private FlagEngine engine;
  private EvaluationContext context;
  private Client client;
  private SluiceProvider provider;
  private ImmutableContext openFeatureContext;
  private String domain;

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
  }

  @TearDown
  public void tearDown() {
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, new NoOpProvider());
  }

  @Benchmark
  public EvaluationResult<Boolean> staticFlag() {
    return engine.evaluate("static", Boolean.class, context);
  }

  @Benchmark
  public EvaluationResult<Boolean> rulesSplit() {
    return engine.evaluate("rules_split", Boolean.class, context);
  }

  @Benchmark
  public boolean openFeature() {
    return client.getBooleanValue("rules_split", false, openFeatureContext);
  }

  /** The provider alone, without the client: what the OpenFeature SDK itself adds is the rest. */
  @Benchmark
  public Object provider() {
    return provider.getBooleanEvaluation("rules_split", false, openFeatureContext);
  }

  private static final List<String[]> CASES =
      List.of(
          new String[] {"staticFlag", "static"},
          new String[] {"rulesSplit", "rules_split"},
          new String[] {"openFeature", "openfeature"},
          new String[] {"provider", "openfeature_provider_only"});

  /** Runs the three cases in one forked JVM and prints a BENCH line for each. */
  static void run(PrintStream out) throws Exception {
    Options options =
        new OptionsBuilder()
            .include(FlagsBench.class.getName() + "\\.")
            .forks(1)
            .warmupIterations(4)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(2))
            .addProfiler(GCProfiler.class)
            .build();
    Map<String, RunResult> byMethod = new HashMap<>();
    for (RunResult result : new Runner(options).run()) {
      String benchmark = result.getParams().getBenchmark();
      byMethod.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result);
    }
    for (String[] c : CASES) {
      RunResult result = byMethod.get(c[0]);
      if (result == null) {
        throw new IllegalStateException("no result for " + c[0]);
      }
      Result<?> bytes = result.getSecondaryResults().get("gc.alloc.rate.norm");
      out.printf(
          Locale.ROOT,
          "BENCH flags case=%s ns_per_op=%.1f bytes_per_op=%.1f%n",
          c[1],
          result.getPrimaryResult().getScore(),
          bytes == null ? Double.NaN : bytes.getScore());
    }
  }
}
