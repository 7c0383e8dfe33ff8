package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reasons, error codes, types, metadata and shared evaluators. */
class FlagEngineTest {

  private static final String DOC =
      """
      {
        "$schema": "https://flagd.dev/schema/v0/flags.json",
        "flags": {
          "static-bool": {"state": "ENABLED", "variants": {"on": true, "off": false},
            "defaultVariant": "on", "metadata": {"owner": "payments", "version": 3}},
          "killed": {"state": "DISABLED", "variants": {"on": true, "off": false},
            "defaultVariant": "on"},
          "checkout": {
            "state": "ENABLED",
            "variants": {"on": true, "off": false},
            "defaultVariant": "off",
            "targeting": {"if": [
              {"$ref": "staff"}, "on",
              {"in": [{"var": "country"}, ["NZ", "AU"]]}, "off",
              {"fractional": [["on", 10], ["off", 90]]}
            ]}
          },
          "falls-through": {"state": "ENABLED", "variants": {"a": "A", "b": "B"},
            "defaultVariant": "b", "targeting": {"if": [{"$ref": "staff"}, "a", null]}},
          "no-default": {"state": "ENABLED", "variants": {"a": "A", "b": "B"},
            "defaultVariant": null, "targeting": {"if": [{"$ref": "staff"}, "a", null]}},
          "no-default-static": {"state": "ENABLED", "variants": {"a": "A"}},
          "computed": {"state": "ENABLED", "variants": {"small": 1, "large": 1000.5},
            "defaultVariant": "small", "targeting": {"var": "size"}},
          "ints": {"state": "ENABLED", "variants": {"one": 1, "two": 2.0}, "defaultVariant": "two"},
          "object": {"state": "ENABLED", "variants": {"cfg": {"retries": 3, "hosts": ["a", "b"]}},
            "defaultVariant": "cfg"},
          "shorthand": {"state": "ENABLED", "variants": {"true": true, "false": false},
            "defaultVariant": "false", "targeting": {"ends_with": [{"var": "email"}, "@example.com"]}},
          "empty-targeting": {"state": "ENABLED", "variants": {"a": "A"}, "defaultVariant": "a",
            "targeting": {}}
        },
        "$evaluators": {
          "staff": {"ends_with": [{"var": "email"}, "@sluice.dev"]}
        },
        "metadata": {"flagSetId": "shop", "version": 1}
      }
      """;

  private final FlagEngine engine = parse(DOC);

  private static FlagEngine parse(String doc) {
    try {
      return FlagEngine.parse(doc);
    } catch (FlagDefinitionException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static EvaluationContext ctx(Object... keyValues) {
    EvaluationContext.Builder builder = EvaluationContext.builder();
    for (int i = 0; i < keyValues.length; i += 2) {
      builder.putValue((String) keyValues[i], keyValues[i + 1]);
    }
    return builder.build();
  }

  @Test
  void noTargetingIsStatic() {
    EvaluationResult<Boolean> result =
        engine.evaluate("static-bool", Boolean.class, EvaluationContext.empty());
    assertThat(result.value()).isTrue();
    assertThat(result.variant()).isEqualTo("on");
    assertThat(result.reason()).isEqualTo(Reason.STATIC);
    assertThat(result.errorCode()).isNull();
    assertThat(engine.evaluate("empty-targeting", String.class, null).reason())
        .isEqualTo(Reason.STATIC);
  }

  @Test
  void flagMetadataOverlaysTheFlagSetMetadata() {
    assertThat(engine.evaluate("static-bool", Boolean.class, null).flagMetadata())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("flagSetId", "shop", "version", 3.0, "owner", "payments"));
    assertThat(engine.evaluate("checkout", Boolean.class, null).flagMetadata())
        .containsExactlyInAnyOrderEntriesOf(Map.of("flagSetId", "shop", "version", 1.0));
  }

  @Test
  void aDisabledFlagYieldsNoValueAndReasonDisabled() {
    EvaluationResult<Boolean> result = engine.evaluate("killed", Boolean.class, null);
    assertThat(result.reason()).isEqualTo(Reason.DISABLED);
    assertThat(result.value()).isNull();
    assertThat(result.errorCode()).isNull();
    assertThat(result.valueOr(false)).isFalse();
  }

  @Test
  void targetingMatchThroughASharedEvaluator() {
    EvaluationResult<Boolean> result =
        engine.evaluate("checkout", Boolean.class, ctx("email", "ops@sluice.dev", "country", "NZ"));
    assertThat(result.value()).isTrue();
    assertThat(result.reason()).isEqualTo(Reason.TARGETING_MATCH);
    assertThat(
            engine
                .evaluate("checkout", Boolean.class, ctx("email", "x@y.z", "country", "AU"))
                .variant())
        .isEqualTo("off");
  }

  @Test
  void fractionalDecisionsAreSplitsAndSticky() {
    int on = 0;
    for (int i = 0; i < 2000; i++) {
      EvaluationContext ctx = ctx("targetingKey", "user-" + i, "country", "DE");
      EvaluationResult<Boolean> result = engine.evaluate("checkout", Boolean.class, ctx);
      assertThat(result.reason()).isEqualTo(Reason.SPLIT);
      assertThat(engine.evaluate("checkout", Boolean.class, ctx)).isEqualTo(result);
      on += result.value() ? 1 : 0;
    }
    assertThat(on).isBetween(140, 260); // 10% of 2000, give or take
  }

  @Test
  void fractionalWithoutTargetingKeyFallsBackToTheDefaultVariant() {
    // flagd: "bucketing value not supplied and no targetingKey in context" -> null -> default
    EvaluationResult<Boolean> result =
        engine.evaluate("checkout", Boolean.class, ctx("country", "DE"));
    assertThat(result.reason()).isEqualTo(Reason.DEFAULT);
    assertThat(result.variant()).isEqualTo("off");
    assertThat(result.errorCode()).isNull();
  }

  @Test
  void targetingReturningNullIsTheDefaultVariant() {
    EvaluationResult<String> result =
        engine.evaluate("falls-through", String.class, ctx("email", "a@b.c"));
    assertThat(result.reason()).isEqualTo(Reason.DEFAULT);
    assertThat(result.value()).isEqualTo("B");
    assertThat(result.variant()).isEqualTo("b");
  }

  @Test
  void withoutDefaultVariantTheCodeDefaultApplies() {
    EvaluationResult<String> result =
        engine.evaluate("no-default", String.class, ctx("email", "a@b.c"));
    assertThat(result.reason()).isEqualTo(Reason.DEFAULT);
    assertThat(result.value()).isNull();
    assertThat(result.valueOr("code default")).isEqualTo("code default");
    assertThat(engine.evaluate("no-default-static", String.class, null).reason())
        .isEqualTo(Reason.DEFAULT);
    assertThat(engine.evaluate("no-default", String.class, ctx("email", "a@sluice.dev")).value())
        .isEqualTo("A");
  }

  @Test
  void computedVariantNames() {
    assertThat(engine.evaluate("computed", Double.class, ctx("size", "large")).value())
        .isEqualTo(1000.5);
    EvaluationResult<Double> unknown = engine.evaluate("computed", Double.class, ctx("size", "xl"));
    assertThat(unknown.reason()).isEqualTo(Reason.ERROR);
    assertThat(unknown.errorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(engine.evaluate("computed", Double.class, ctx("size", 3)).errorCode())
        .isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(engine.evaluate("computed", Double.class, ctx()).reason()).isEqualTo(Reason.DEFAULT);
  }

  @Test
  void booleanShorthandNamesTheTrueAndFalseVariants() {
    assertThat(engine.evaluate("shorthand", Boolean.class, ctx("email", "a@example.com")))
        .extracting(EvaluationResult::value, EvaluationResult::variant, EvaluationResult::reason)
        .containsExactly(true, "true", Reason.TARGETING_MATCH);
    assertThat(engine.evaluate("shorthand", Boolean.class, ctx("email", "a@test.com")).value())
        .isFalse();
  }

  @Test
  void missingFlag() {
    EvaluationResult<String> result = engine.evaluate("nope", String.class, null);
    assertThat(result.reason()).isEqualTo(Reason.ERROR);
    assertThat(result.errorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(result.flagMetadata()).containsEntry("flagSetId", "shop");
    assertThat(engine.evaluate(null, String.class, null).errorCode())
        .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
  }

  @Test
  void typeMismatch() {
    EvaluationResult<String> result = engine.evaluate("static-bool", String.class, null);
    assertThat(result.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(result.errorMessage()).contains("BOOLEAN");
    assertThat(engine.evaluate("computed", Integer.class, ctx("size", "large")).errorCode())
        .isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(engine.evaluate("object", String.class, null).errorCode())
        .isEqualTo(ErrorCode.TYPE_MISMATCH);
  }

  @Test
  void numbersReadAsDoubleIntegerOrNumber() {
    assertThat(engine.evaluate("ints", Integer.class, null).value()).isEqualTo(2);
    assertThat(engine.evaluate("ints", Double.class, null).value()).isEqualTo(2.0);
    assertThat(engine.evaluate("ints", Number.class, null).value()).isEqualTo(2.0);
    assertThat(engine.evaluate("ints", Object.class, null).value()).isEqualTo(2.0);
    assertThat(engine.typeOf("ints")).contains(FlagType.NUMBER);
  }

  @Test
  void objectVariants() {
    assertThat(engine.evaluate("object", Object.class, null).value())
        .isEqualTo(Map.of("retries", 3.0, "hosts", List.of("a", "b")));
    assertThat(engine.evaluate("object", Map.class, null).reason()).isEqualTo(Reason.STATIC);
  }

  @Test
  void staticOutcomesAreSharedInstances() {
    assertThat(engine.evaluate("static-bool", Boolean.class, null))
        .isSameAs(engine.evaluate("static-bool", Boolean.class, ctx("x", 1)));
    EvaluationContext staff = ctx("email", "a@sluice.dev");
    assertThat(engine.evaluate("checkout", Boolean.class, staff))
        .isSameAs(engine.evaluate("checkout", Boolean.class, staff));
  }

  @Test
  void bucketByExpressionAndNullBucketFallsBackToTargetingKey() {
    String doc =
        """
        {"flags": {"headerColor": {"state": "ENABLED",
          "variants": {"red": "#FF0000", "blue": "#0000FF", "green": "#00FF00", "yellow": "#FFFF00"},
          "defaultVariant": "red",
          "targeting": {"fractional": [{"var": "email"},
            ["red", 25], ["blue", 25], ["green", 25], ["yellow", 25]]}}}}
        """;
    FlagEngine engine = parse(doc);
    // mmh3("user-1") etc. are covered by FractionalVectorsTest; here: the same key hashes alike.
    EvaluationResult<String> byEmail =
        engine.evaluate("headerColor", String.class, ctx("email", "headerColoruser-1"));
    EvaluationResult<String> byKey =
        engine.evaluate("headerColor", String.class, ctx("targetingKey", "user-1"));
    assertThat(byEmail.variant()).isEqualTo("green").isEqualTo(byKey.variant());
    assertThat(byKey.reason()).isEqualTo(Reason.SPLIT);
    assertThat(engine.evaluate("headerColor", String.class, ctx()).reason())
        .isEqualTo(Reason.DEFAULT);
    assertThat(engine.evaluate("headerColor", String.class, ctx("email", 7)).reason())
        .isEqualTo(Reason.DEFAULT);
  }
}
