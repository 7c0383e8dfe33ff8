package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JsonLogic and flagd operators, each evaluated as the condition of an {@code if}. */
class OperatorSemanticsTest {

  private static final EvaluationContext CTX =
      EvaluationContext.fromMap(
          Map.of(
              "targetingKey",
              "user-1",
              "email",
              "jane@faas.com",
              "age",
              42,
              "ageText",
              "42",
              "beta",
              true,
              "zero",
              0,
              "empty",
              "",
              "tags",
              List.of("a", "b"),
              "user",
              Map.of("plan", "pro", "seats", 5, "roles", List.of("admin", "dev"))));

  static boolean holds(String expression, EvaluationContext ctx) {
    String doc =
        """
        {"flags": {"t": {"state": "ENABLED", "variants": {"yes": "yes", "no": "no"},
          "defaultVariant": "no", "targeting": {"if": [%s, "yes", "no"]}}}}
        """
            .formatted(expression);
    try {
      EvaluationResult<String> result = FlagEngine.parse(doc).evaluate("t", String.class, ctx);
      assertThat(result.isError()).as(result.toString()).isFalse();
      return result.value().equals("yes");
    } catch (FlagDefinitionException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // == coerces like JavaScript; === does not
        "{\"==\": [1, 1]}                               | true",
        "{\"==\": [1, \"1\"]}                           | true",
        "{\"==\": [{\"var\": \"age\"}, \"42\"]}         | true",
        "{\"==\": [{\"var\": \"ageText\"}, 42]}         | true",
        "{\"==\": [0, false]}                           | true",
        "{\"==\": [1, true]}                            | true",
        "{\"==\": [\"1\", true]}                        | true",
        "{\"==\": [\"\", 0]}                            | true",
        "{\"==\": [null, 0]}                            | false",
        "{\"==\": [null, null]}                         | true",
        "{\"==\": [{\"var\": \"missing\"}, null]}       | true",
        "{\"==\": [\"abc\", 0]}                         | false",
        "{\"==\": [[1], 1]}                             | true",
        "{\"===\": [1, 1]}                              | true",
        "{\"===\": [1, \"1\"]}                          | false",
        "{\"!=\": [1, 2]}                               | true",
        "{\"!=\": [1, \"1\"]}                           | false",
        "{\"!==\": [1, \"1\"]}                          | true",
        "{\"!==\": [1, 1]}                              | false",
        // truthiness
        "{\"!!\": [\"mike\"]}                           | true",
        "{\"!!\": [\"\"]}                               | false",
        "{\"!!\": [[]]}                                 | false",
        "{\"!!\": {\"var\": \"tags\"}}                  | true",
        "{\"!\": [\"\"]}                                | true",
        "{\"!\": {\"var\": \"zero\"}}                   | true",
        "{\"!\": {\"var\": \"missing\"}}                | true",
        "{\"!\": [\"mike\"]}                            | false",
        // relational, with the between forms
        "{\">\": [2, 1]}                                | true",
        "{\">=\": [1, 1]}                               | true",
        "{\"<\": [1, 2]}                                | true",
        "{\"<=\": [2, 1]}                               | false",
        "{\"<\": [1, 5, 10]}                            | true",
        "{\"<\": [1, 11, 10]}                           | false",
        "{\"<\": [1, 1, 10]}                            | false",
        "{\"<=\": [1, 1, 10]}                           | true",
        "{\"<=\": [1, 11, 10]}                          | false",
        "{\">\": [{\"var\": \"age\"}, \"41\"]}          | true",
        "{\"<\": [\"a\", \"b\"]}                        | true",
        "{\"<\": [\"10\", \"9\"]}                       | true",
        "{\"<\": [{\"var\": \"missing\"}, 1]}           | true",
        "{\">\": [\"abc\", 1]}                          | false",
        "{\"<\": [\"abc\", 1]}                          | false",
        // in: substring and membership
        "{\"in\": [\"Spring\", \"Springfield\"]}        | true",
        "{\"in\": [\"Illinois\", \"Springfield\"]}      | false",
        "{\"in\": [\"Mike\", [\"Bob\", \"Mike\"]]}      | true",
        "{\"in\": [\"Todd\", [\"Bob\", \"Mike\"]]}      | false",
        "{\"in\": [\"@faas.com\", {\"var\": \"email\"}]} | true",
        "{\"in\": [{\"var\": \"user.plan\"}, [\"pro\", \"team\"]]} | true",
        "{\"in\": [42, [1, 42]]}                        | true",
        "{\"in\": [\"42\", [1, 42]]}                    | false",
        "{\"in\": [{\"var\": \"missing\"}, [\"a\"]]}    | false",
        "{\"in\": [\"admin\", {\"var\": \"user.roles\"}]} | true",
        "{\"in\": [\"x\", {\"var\": \"missing\"}]}      | false",
        "{\"in\": [{\"var\": \"email\"}, [\"a\", {\"var\": \"email\"}]]} | true",
        // and / or
        "{\"and\": [true, true]}                        | true",
        "{\"and\": [true, false]}                       | false",
        "{\"or\": [false, false]}                       | false",
        "{\"or\": [false, {\"var\": \"beta\"}]}         | true",
        "{\"and\": [{\"var\": \"beta\"}, {\"var\": \"empty\"}]} | false",
        // var: dotted paths, list indices, defaults, flagd properties
        "{\"===\": [{\"var\": \"user.plan\"}, \"pro\"]}           | true",
        "{\"===\": [{\"var\": \"user.roles.1\"}, \"dev\"]}        | true",
        "{\"===\": [{\"var\": \"user.roles.9\"}, null]}           | true",
        "{\"===\": [{\"var\": \"user.plan.deeper\"}, null]}       | true",
        "{\"===\": [{\"var\": [\"missing\", \"dflt\"]}, \"dflt\"]} | true",
        "{\"===\": [{\"var\": [\"email\", \"dflt\"]}, \"jane@faas.com\"]} | true",
        "{\"===\": [{\"var\": \"targetingKey\"}, \"user-1\"]}     | true",
        "{\"===\": [{\"var\": \"$flagd.flagKey\"}, \"t\"]}        | true",
        "{\"===\": [{\"var\": {\"cat\": [\"us\", \"er.plan\"]}}, \"pro\"]} | true",
        // cat
        "{\"===\": [{\"cat\": [\"a\", 1, true, null, 2.5]}, \"a1true2.5\"]} | true",
        "{\"===\": [{\"cat\": [{\"var\": \"user.plan\"}, \"-\", {\"var\": \"user.seats\"}]}, \"pro-5\"]} | true",
        // flagd string operators: false unless both sides are strings
        "{\"starts_with\": [{\"var\": \"email\"}, \"jane@\"]}   | true",
        "{\"starts_with\": [\"10.0.0.1\", \"192.168\"]}         | false",
        "{\"ends_with\": [{\"var\": \"email\"}, \"@faas.com\"]} | true",
        "{\"ends_with\": [\"noreply@example.com\", \"@test.com\"]} | false",
        "{\"ends_with\": [{\"var\": \"age\"}, \"2\"]}           | false",
        "{\"starts_with\": [{\"var\": \"missing\"}, \"\"]}      | false",
        // nested if as a value
        "{\"===\": [{\"if\": [false, \"a\", false, \"b\", \"c\"]}, \"c\"]} | true",
        "{\"===\": [{\"if\": [false, \"a\"]}, null]}            | true",
      })
  void evaluatesLikeJsonLogic(String expression, boolean expected) {
    assertThat(holds(expression, CTX)).isEqualTo(expected);
  }

  @Test
  void flagdTimestampIsTheClockInSeconds() throws FlagDefinitionException {
    String doc =
        """
        {"flags": {"t": {"state": "ENABLED", "variants": {"yes": "yes", "no": "no"},
          "defaultVariant": "no",
          "targeting": {"if": [{">=": [{"var": "$flagd.timestamp"}, 1700000000]}, "yes", "no"]}}}}
        """;
    long[] now = {1_699_999_999L};
    FlagEngine engine = FlagEngine.parse(doc, () -> now[0]);
    assertThat(engine.evaluate("t", String.class, CTX).value()).isEqualTo("no");
    now[0] = 1_700_000_000L;
    assertThat(engine.evaluate("t", String.class, CTX).value()).isEqualTo("yes");
  }

  @Test
  void missingContextValuesAreNullNotErrors() {
    EvaluationContext empty = EvaluationContext.empty();
    assertThat(holds("{\"==\": [{\"var\": \"a.b.c\"}, null]}", empty)).isTrue();
    assertThat(holds("{\"in\": [{\"var\": \"a\"}, {\"var\": \"b\"}]}", empty)).isFalse();
    assertThat(holds("{\"sem_ver\": [{\"var\": \"version\"}, \">=\", \"1.0.0\"]}", empty))
        .isFalse();
    assertThat(holds("{\"!!\": {\"var\": \"targetingKey\"}}", null)).isFalse();
  }
}
