package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.FlagdTemplates.SimpleRule;
import dev.sluice.flags.FlagdTemplates.SimpleRule.Op;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class FlagdTemplatesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static FlagEngine compile(ObjectNode doc) {
    try {
      return FlagEngine.compile(doc);
    } catch (FlagDefinitionException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static boolean on(FlagEngine engine, EvaluationContext ctx) {
    return engine.evaluate("new_checkout_flow", Boolean.class, ctx).valueOr(false);
  }

  /**
   * The simple model's reference evaluation (enabled, then the first matching rule), for rules; its
   * rollout hash differs by design.
   */
  private static boolean referenceIsEnabled(
      boolean enabled, List<SimpleRule> rules, Map<String, ?> ctx) {
    if (!enabled) {
      return false;
    }
    for (SimpleRule rule : rules) {
      Object actual = ctx.get(rule.attribute());
      boolean matches =
          switch (rule.op()) {
            case EQUALS -> Objects.equals(actual, rule.value());
            case IN -> actual != null && ((List<?>) rule.value()).contains(actual);
            case GREATER_THAN ->
                actual instanceof Number n
                    && n.doubleValue() > ((Number) rule.value()).doubleValue();
          };
      if (matches) {
        return true;
      }
    }
    return false;
  }

  @Test
  void simpleRulesEvaluateAsTheReferenceDoes() {
    List<SimpleRule> rules =
        List.of(
            new SimpleRule("plan", Op.EQUALS, "beta"),
            new SimpleRule("user_id", Op.IN, List.of(1.0, 2.0, 3.0)),
            new SimpleRule("seats", Op.GREATER_THAN, 100.0));
    List<Map<String, ?>> contexts =
        List.of(
            Map.of("plan", "beta"),
            Map.of("plan", "free", "user_id", 2.0),
            Map.of("plan", "free", "user_id", 4.0),
            Map.of("seats", 101.0),
            Map.of("seats", 100.0),
            Map.of());
    for (boolean enabled : new boolean[] {true, false}) {
      FlagEngine engine =
          compile(
              FlagdTemplates.document(
                  "new_checkout_flow", FlagdTemplates.simple(enabled, 10, rules)));
      for (Map<String, ?> ctx : contexts) {
        assertThat(on(engine, EvaluationContext.fromMap(ctx)))
            .as("enabled=%s %s", enabled, ctx)
            .isEqualTo(referenceIsEnabled(enabled, rules, ctx));
      }
    }
  }

  @Test
  void aSimpleRolloutBecomesASplitOnTheTargetingKey() {
    FlagEngine engine =
        compile(
            FlagdTemplates.document(
                "new_checkout_flow", FlagdTemplates.simple(true, 10, List.of())));
    int on = 0;
    for (int i = 0; i < 1000; i++) {
      EvaluationResult<Boolean> result =
          engine.evaluate("new_checkout_flow", Boolean.class, EvaluationContext.of("u" + i));
      assertThat(result.reason()).isEqualTo(Reason.SPLIT);
      on += result.value() ? 1 : 0;
    }
    assertThat(on).isBetween(60, 140);
    assertThat(
            on(
                compile(
                    FlagdTemplates.document(
                        "new_checkout_flow", FlagdTemplates.simple(true, 100, List.of()))),
                EvaluationContext.empty()))
        .isTrue();
    assertThat(
            on(
                compile(
                    FlagdTemplates.document(
                        "new_checkout_flow", FlagdTemplates.simple(true, 0, List.of()))),
                EvaluationContext.of("u1")))
        .isFalse();
  }

  @Test
  void theSimpleModelsJsonIsPlainFlagd() throws Exception {
    ObjectNode flag =
        FlagdTemplates.simple(true, 25, List.of(new SimpleRule("plan", Op.EQUALS, "beta")));
    assertThat(flag)
        .isEqualTo(
            MAPPER.readTree(
                """
                {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                 "targeting": {"if": [{"===": [{"var": "plan"}, "beta"]}, "on", "off"]}}
                """));
  }

  @Test
  void killSwitchDoesNotTouchItsInput() {
    ObjectNode doc = FlagdTemplates.document("f", FlagdTemplates.simple(true, 100, List.of()));
    ObjectNode killed = FlagdTemplates.withState(doc, "f", false);
    assertThat(doc.at("/flags/f/state").textValue()).isEqualTo("ENABLED");
    assertThat(killed.at("/flags/f/state").textValue()).isEqualTo("DISABLED");
    assertThat(compile(killed).evaluate("f", Boolean.class, null).reason())
        .isEqualTo(Reason.DISABLED);
    assertThat(FlagdTemplates.withState(killed, "f", true)).isEqualTo(doc);
    assertThatThrownBy(() -> FlagdTemplates.withState(doc, "nope", true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rolloutRewritesTheSplit() throws Exception {
    ObjectNode doc =
        (ObjectNode)
            MAPPER.readTree(
                """
                {"flags": {"f": {"state": "ENABLED", "variants": {"a": "A", "b": "B", "c": "C"},
                  "defaultVariant": "a",
                  "targeting": {"if": [{"==": [{"var": "staff"}, true]}, "c",
                    {"fractional": [["a", 60], ["b", 30], ["c", 10]]}]}}}}
                """);
    ObjectNode rewritten = FlagdTemplates.withRollout(doc, "f", "c", 40);
    assertThat(rewritten.at("/flags/f/targeting/if/2/fractional"))
        .isEqualTo(MAPPER.readTree("[[\"a\", 40], [\"b\", 20], [\"c\", 40]]"));
    assertThat(doc.at("/flags/f/targeting/if/2/fractional/2/1").intValue()).isEqualTo(10);
    compile(rewritten);
    assertThat(
            FlagdTemplates.withRollout(doc, "f", "c", 100).at("/flags/f/targeting/if/2/fractional"))
        .isEqualTo(MAPPER.readTree("[[\"a\", 0], [\"b\", 0], [\"c\", 100]]"));
  }

  @Test
  void rolloutWithoutASplitAddsOne() throws Exception {
    ObjectNode plain =
        (ObjectNode)
            MAPPER.readTree(
                """
                {"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": false},
                  "defaultVariant": "off"}}}
                """);
    ObjectNode split = FlagdTemplates.withRollout(plain, "f", "on", 5);
    assertThat(split.at("/flags/f/targeting"))
        .isEqualTo(MAPPER.readTree("{\"fractional\": [[\"on\", 5], [\"off\", 95]]}"));
    compile(split);

    ObjectNode withRule =
        FlagdTemplates.withRule(
            plain, "f", MAPPER.readTree("{\"in\": [{\"var\": \"country\"}, [\"NZ\"]]}"), "on");
    ObjectNode both = FlagdTemplates.withRollout(withRule, "f", "on", 20);
    assertThat(both.at("/flags/f/targeting"))
        .isEqualTo(
            MAPPER.readTree(
                """
                {"if": [{"in": [{"var": "country"}, ["NZ"]]}, "on",
                        {"fractional": [["on", 20], ["off", 80]]}]}
                """));
    compile(both);
  }

  @Test
  void rulesAreAddedBeforeTheFallbackAndRemovedByIndex() throws Exception {
    ObjectNode doc = FlagdTemplates.document("f", FlagdTemplates.simple(true, 30, List.of()));
    JsonNode nz = MAPPER.readTree("{\"==\": [{\"var\": \"country\"}, \"NZ\"]}");
    JsonNode staff = MAPPER.readTree("{\"ends_with\": [{\"var\": \"email\"}, \"@sluice.dev\"]}");
    ObjectNode one = FlagdTemplates.withRule(doc, "f", nz, "on");
    ObjectNode two = FlagdTemplates.withRule(one, "f", staff, "off");
    assertThat(two.at("/flags/f/targeting/if"))
        .isEqualTo(
            MAPPER.readTree(
                """
                [{"==": [{"var": "country"}, "NZ"]}, "on",
                 {"ends_with": [{"var": "email"}, "@sluice.dev"]}, "off",
                 {"fractional": [["on", 30], ["off", 70]]}]
                """));
    FlagEngine engine = compile(two);
    assertThat(
            engine
                .evaluate(
                    "f", Boolean.class, EvaluationContext.builder().put("country", "NZ").build())
                .reason())
        .isEqualTo(Reason.TARGETING_MATCH);

    ObjectNode back = FlagdTemplates.withoutRule(FlagdTemplates.withoutRule(two, "f", 1), "f", 0);
    assertThat(back).isEqualTo(doc);
    assertThat(one.at("/flags/f/targeting/if").size()).isEqualTo(3); // inputs untouched

    ObjectNode noTargeting =
        FlagdTemplates.document("g", FlagdTemplates.simple(true, 100, List.of()));
    ObjectNode ruled = FlagdTemplates.withRule(noTargeting, "g", nz, "off");
    assertThat(ruled.at("/flags/g/targeting/if").size()).isEqualTo(3);
    compile(ruled);
    assertThat(FlagdTemplates.withoutRule(ruled, "g", 0)).isEqualTo(noTargeting);
  }
}
