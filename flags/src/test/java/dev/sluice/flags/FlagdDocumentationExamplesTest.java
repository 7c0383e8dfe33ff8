package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Flag definitions copied from flagd's documentation (docs/reference/flag-definitions.md and
 * docs/reference/custom-operations/*.md in open-feature/flagd) with the results the documentation
 * states.
 */
class FlagdDocumentationExamplesTest {

  private static FlagEngine parse(String doc) throws FlagDefinitionException {
    return FlagEngine.parse(doc);
  }

  @Test
  void fullyConfiguredFlagWithMetadata() throws FlagDefinitionException {
    FlagEngine engine =
        parse(
            """
            {
              "$schema": "https://flagd.dev/schema/v0/flags.json",
              "flags": {
                "new-welcome-banner": {
                  "state": "ENABLED",
                  "variants": {
                    "on": true,
                    "off": false
                  },
                  "defaultVariant": "off",
                  "targeting": {
                    "if": [
                      { "ends_with": [{ "var": "email" }, "@example.com"] },
                      "on",
                      "off"
                    ]
                  },
                  "metadata": {
                    "version": "17"
                  }
                }
              },
              "metadata": {
                "team": "user-experience",
                "flagSetId": "ecommerce"
              }
            }
            """);
    EvaluationResult<Boolean> result =
        engine.evaluate(
            "new-welcome-banner",
            Boolean.class,
            EvaluationContext.builder().put("email", "noreply@example.com").build());
    assertThat(result.value()).isTrue();
    assertThat(result.reason()).isEqualTo(Reason.TARGETING_MATCH);
    assertThat(result.flagMetadata())
        .isEqualTo(Map.of("version", "17", "team", "user-experience", "flagSetId", "ecommerce"));
    assertThat(
            engine
                .evaluate(
                    "new-welcome-banner",
                    Boolean.class,
                    EvaluationContext.builder().put("email", "a@test.com").build())
                .value())
        .isFalse();
  }

  @Test
  void sharedEvaluators() throws FlagDefinitionException {
    FlagEngine engine =
        parse(
            """
            {
              "$schema": "https://flagd.dev/schema/v0/flags.json",
              "flags": {
                "fibAlgo": {
                  "variants": {
                    "recursive": "recursive",
                    "memo": "memo",
                    "loop": "loop",
                    "binet": "binet"
                  },
                  "defaultVariant": "recursive",
                  "state": "ENABLED",
                  "targeting": {
                    "if": [
                      {
                        "$ref": "emailWithFaas"
                      },
                      "binet",
                      null
                    ]
                  }
                },
                "headerColor": {
                  "variants": {
                    "red": "#FF0000",
                    "blue": "#0000FF",
                    "green": "#00FF00",
                    "yellow": "#FFFF00"
                  },
                  "defaultVariant": "red",
                  "state": "ENABLED",
                  "targeting": {
                    "if": [
                      {
                        "$ref": "emailWithFaas"
                      },
                      {
                        "fractional": [
                          { "var": "email" },
                          ["red", 25],
                          ["blue", 25],
                          ["green", 25],
                          ["yellow", 25]
                        ]
                      },
                      null
                    ]
                  }
                }
              },
              "$evaluators": {
                "emailWithFaas": {
                  "in": [
                    "@faas.com",
                    {
                      "var": ["email"]
                    }
                  ]
                }
              }
            }
            """);
    EvaluationContext faas = EvaluationContext.builder().put("email", "jon@faas.com").build();
    EvaluationContext other = EvaluationContext.builder().put("email", "jon@other.com").build();
    assertThat(engine.evaluate("fibAlgo", String.class, faas).value()).isEqualTo("binet");
    EvaluationResult<String> fallback = engine.evaluate("fibAlgo", String.class, other);
    assertThat(fallback.value()).isEqualTo("recursive");
    assertThat(fallback.reason()).isEqualTo(Reason.DEFAULT);
    assertThat(engine.evaluate("headerColor", String.class, faas).reason()).isEqualTo(Reason.SPLIT);
    assertThat(engine.evaluate("headerColor", String.class, other).value()).isEqualTo("#FF0000");
  }

  @Test
  void booleanVariantShorthand() throws FlagDefinitionException {
    String longForm =
        """
        {"flags": {"new-welcome-banner": {"state": "ENABLED",
          "variants": {"true": true, "false": false}, "defaultVariant": "false",
          "targeting": {"if": [{"ends_with": [{"var": "email"}, "@example.com"]}, "true", "false"]}}}}
        """;
    String shortForm =
        """
        {"flags": {"new-welcome-banner": {"state": "ENABLED",
          "variants": {"true": true, "false": false}, "defaultVariant": "false",
          "targeting": {"ends_with": [{"var": "email"}, "@example.com"]}}}}
        """;
    for (String email : new String[] {"a@example.com", "a@example.org"}) {
      EvaluationContext ctx = EvaluationContext.builder().put("email", email).build();
      assertThat(parse(shortForm).evaluate("new-welcome-banner", Boolean.class, ctx))
          .isEqualTo(parse(longForm).evaluate("new-welcome-banner", Boolean.class, ctx));
    }
  }

  @Test
  void conditionsAndOperationsTables() {
    EvaluationContext none = EvaluationContext.empty();
    String[] truths = {
      "{\"==\": [{\"if\": [true, \"yes\", \"no\"]}, \"yes\"]}",
      "{\"==\": [{\"if\": [false, \"yes\", false, \"no\", \"maybe\"]}, \"maybe\"]}",
      "{\"==\": [{\"if\": [false, \"yes\", false, \"no\", false, \"maybe\", \"who knows\"]},"
          + " \"who knows\"]}",
      "{\"or\": [true, false]}",
      "{\"and\": [true, true]}",
      "{\"!\": {\"in\": [\"Illinois\", \"Springfield\"]}}",
      "{\"!\": {\"in\": [\"Todd\", [\"Bob\", \"Mike\"]]}}",
      "{\"starts_with\": [\"192.168.0.1\", \"192.168\"]}",
      "{\"ends_with\": [\"noreply@example.com\", \"@example.com\"]}",
      "{\"sem_ver\": [\"1.1.2\", \">=\", \"1.0.0\"]}",
      "{\"<=\": [1, 1, 10]}",
    };
    for (String expression : truths) {
      assertThat(OperatorSemanticsTest.holds(expression, none)).as(expression).isTrue();
    }
  }

  @Test
  void targetingKeyIsAvailableToRules() throws FlagDefinitionException {
    FlagEngine engine =
        parse(
            """
            {"flags": {"f": {"state": "ENABLED", "variants": {"true": true, "false": false},
              "defaultVariant": "false",
              "targeting": {"==": [{"var": "targetingKey"}, "5c3d8535-f81a-4478-a6d3-afaa4d51199e"]}}}}
            """);
    assertThat(
            engine
                .evaluate(
                    "f",
                    Boolean.class,
                    EvaluationContext.of("5c3d8535-f81a-4478-a6d3-afaa4d51199e"))
                .value())
        .isTrue();
  }

  /** flagd's own test cases (core/pkg/evaluator/fractional_test.go) whose outcome is not a hash. */
  @Test
  void fractionalFallbacksFromFlagdsTests() throws FlagDefinitionException {
    FlagEngine engine =
        parse(
            """
            {"flags": {"headerColor": {"state": "ENABLED",
              "variants": {"red": "#FF0000", "blue": "#0000FF", "green": "#00FF00", "yellow": "#FFFF00"},
              "defaultVariant": "red",
              "targeting": {"fractional": [{"var": "email"}, ["red", 50], ["blue", 50]]}}}}
            """);
    // "fallback to default variant if no email provided"
    EvaluationResult<String> none = engine.evaluate("headerColor", String.class, null);
    assertThat(none.variant()).isEqualTo("red");
    assertThat(none.reason()).isEqualTo(Reason.DEFAULT);
    // "missing email - parser should ignore nil/missing custom variables and continue"
    EvaluationResult<String> byKey =
        engine.evaluate("headerColor", String.class, EvaluationContext.of("foo@foo.com"));
    assertThat(byKey.reason()).isEqualTo(Reason.SPLIT);
  }
}
