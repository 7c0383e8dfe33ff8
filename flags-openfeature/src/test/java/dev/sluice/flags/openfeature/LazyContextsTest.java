package dev.sluice.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider reads only what a flag's targeting references, and reads it as it is now. */
class LazyContextsTest {

  private static final String DOC =
      """
      {"flags": {
        "static": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "by-country": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"if": [{"in": [{"var": "country"}, ["NL", "BE"]]}, "on",
                               {"fractional": [["on", 50], ["off", 50]]}]}},
        "by-plan": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"if": [{"and": [{"==": [{"var": "user.plan"}, "pro"]},
                                        {"in": [3, {"var": "groups"}]},
                                        {">=": [{"var": "age"}, 18]}]}, "on", "off"]}}
      }}
      """;

  /** A context that records which attributes were read. */
  static final class RecordingContext extends MutableContext {
    final List<String> reads = new ArrayList<>();

    RecordingContext(String targetingKey) {
      super(targetingKey);
    }

    @Override
    public Value getValue(String key) {
      reads.add(key);
      return super.getValue(key);
    }
  }

  @Test
  void aFlagWithoutTargetingReadsNothing() throws Exception {
    SluiceProvider provider = SluiceProvider.ofDocument(DOC);
    RecordingContext context = new RecordingContext("u-1");
    context.add("country", "NL").add("email", "kim@example.com");

    assertThat(provider.getBooleanEvaluation("static", false, context).getValue()).isTrue();
    assertThat(context.reads).isEmpty();
  }

  @Test
  void targetingReadsOnlyTheAttributesItReferences() throws Exception {
    SluiceProvider provider = SluiceProvider.ofDocument(DOC);
    RecordingContext context = new RecordingContext("u-1");
    context.add("country", "NL").add("email", "kim@example.com").add("plan", "pro");

    assertThat(provider.getBooleanEvaluation("by-country", false, context).getValue()).isTrue();
    assertThat(context.reads).containsExactly("country");
  }

  @Test
  void aContextChangedBetweenCallsIsReadAsItIsNow() throws Exception {
    SluiceProvider provider = SluiceProvider.ofDocument(DOC);
    MutableContext context = new MutableContext("u-1").add("country", "NL");
    assertThat(provider.getBooleanEvaluation("by-country", false, context).getReason())
        .isEqualTo("TARGETING_MATCH");

    context.add("country", "US");

    assertThat(provider.getBooleanEvaluation("by-country", false, context).getReason())
        .isEqualTo("SPLIT");
  }

  @Test
  void aDifferentContextOnEveryCallIsReadAfresh() throws Exception {
    SluiceProvider provider = SluiceProvider.ofDocument(DOC);
    for (String country : List.of("NL", "US", "BE", "DE", "NL")) {
      ImmutableContext context = new ImmutableContext("u-1", Map.of("country", new Value(country)));
      String expected = country.equals("NL") || country.equals("BE") ? "TARGETING_MATCH" : "SPLIT";
      assertThat(provider.getBooleanEvaluation("by-country", false, context).getReason())
          .as(country)
          .isEqualTo(expected);
    }
  }

  @Test
  void nestedStructuresListsAndIntegersAreConvertedWhenRead() throws Exception {
    SluiceProvider provider = SluiceProvider.ofDocument(DOC);
    ImmutableContext context =
        new ImmutableContext(
            "u-1",
            Map.of(
                "user", new Value(new ImmutableStructure(Map.of("plan", new Value("pro")))),
                "groups", new Value(List.of(new Value("beta"), new Value(3))),
                "age", new Value(41)));

    assertThat(provider.getBooleanEvaluation("by-plan", false, context).getValue()).isTrue();
    assertThat(provider.getBooleanEvaluation("by-plan", false, null).getValue()).isFalse();
  }
}
