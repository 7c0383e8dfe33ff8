package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.flags.FlagDefinitionException.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every problem is reported, each at its JSON path, and nothing is built. */
class ValidationTest {

  private static List<Problem> problems(String doc) {
    FlagDefinitionException e =
        catchThrowableOfType(FlagDefinitionException.class, () -> FlagEngine.parse(doc));
    assertThat(e).as("expected the document to be rejected").isNotNull();
    return e.problems();
  }

  private static List<String> paths(String doc) {
    return problems(doc).stream().map(Problem::path).toList();
  }

  private static String flag(String targeting) {
    return """
        {"flags": {"new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "defaultVariant": "off", "targeting": %s}}}
        """
        .formatted(targeting);
  }

  @Test
  void unknownOperatorIsReportedAtItsPath() {
    List<Problem> problems =
        problems(flag("{\"if\": [{\"in\": [\"x\", {\"contains\": [1, 2]}]}, \"on\", null]}"));
    assertThat(problems)
        .containsExactly(
            new Problem(
                "flags.new-checkout.targeting.if[0].in[1].contains",
                "unknown operator 'contains'"));
  }

  @Test
  void variantsOfMixedTypes() {
    List<Problem> problems =
        problems(
            """
            {"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": "false"},
              "defaultVariant": "on"}}}
            """);
    assertThat(problems).extracting(Problem::path).containsExactly("flags.f.variants.off");
    assertThat(problems.get(0).message()).contains("STRING").contains("BOOLEAN");
  }

  @Test
  void defaultVariantNotAmongVariants() {
    assertThat(
            problems(
                """
                {"flags": {"f": {"state": "ENABLED", "variants": {"red": "c05543"},
                  "defaultVariant": "purple"}}}
                """))
        .extracting(Problem::path)
        .containsExactly("flags.f.defaultVariant");
  }

  @Test
  void fractionalWeightsAreNonNegativeIntegers() {
    assertThat(
            paths(
                flag(
                    "{\"fractional\": [[\"on\", 10.5], [\"off\", -1], [\"on\", \"9\"], [\"off\"]]}")))
        .containsExactly(
            "flags.new-checkout.targeting.fractional[0][1]",
            "flags.new-checkout.targeting.fractional[1][1]",
            "flags.new-checkout.targeting.fractional[2][1]");
    assertThat(paths(flag("{\"fractional\": [[\"on\", 0], [\"off\", 0]]}")))
        .containsExactly("flags.new-checkout.targeting.fractional");
    assertThat(paths(flag("{\"fractional\": [[\"on\", 2147483647], [\"off\", 1]]}")))
        .containsExactly("flags.new-checkout.targeting.fractional");
    assertThat(paths(flag("{\"fractional\": [{\"var\": \"email\"}]}")))
        .containsExactly("flags.new-checkout.targeting.fractional");
    assertThat(paths(flag("{\"fractional\": [\"on\", 50]}")))
        .containsExactly("flags.new-checkout.targeting.fractional[1]");
  }

  @Test
  void refToAMissingEvaluator() {
    assertThat(problems(flag("{\"if\": [{\"$ref\": \"nobody\"}, \"on\", \"off\"]}")))
        .containsExactly(
            new Problem(
                "flags.new-checkout.targeting.if[0].$ref", "$ref to a missing evaluator 'nobody'"));
  }

  @Test
  void refCyclesAndProblemsInsideEvaluators() {
    String doc =
        """
        {"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": false},
            "defaultVariant": "off", "targeting": {"if": [{"$ref": "a"}, "on", "off"]}}},
         "$evaluators": {"a": {"and": [{"$ref": "b"}]}, "b": {"or": [{"$ref": "a"}]},
                         "c": {"nope": 1}}}
        """;
    List<Problem> problems = problems(doc);
    assertThat(problems).extracting(Problem::path).contains("$evaluators.c.nope");
    assertThat(problems)
        .anySatisfy(p -> assertThat(p.message()).startsWith("$ref cycle: a -> b -> a"));
  }

  @Test
  void targetingReturningSomethingThatIsNotAVariant() {
    assertThat(paths(flag("{\"if\": [true, \"maybe\", 42]}")))
        .containsExactly(
            "flags.new-checkout.targeting.if[1]", "flags.new-checkout.targeting.if[2]");
    assertThat(paths(flag("{\"fractional\": [[\"on\", 1], [\"blue\", 1]]}")))
        .containsExactly("flags.new-checkout.targeting.fractional[1][0]");
    // A boolean-valued rule needs the variants "true" and "false" (flagd's shorthand).
    assertThat(paths(flag("{\"==\": [{\"var\": \"a\"}, 1]}")))
        .containsExactly("flags.new-checkout.targeting", "flags.new-checkout.targeting");
  }

  @Test
  void shorthandVersionsAreValidLiterals() throws FlagDefinitionException {
    FlagEngine.parse(
        flag("{\"if\": [{\"sem_ver\": [{\"var\": \"v\"}, \">=\", \"1.0\"]}, \"on\", null]}"));
  }

  @Test
  void semVerProblems() {
    List<Problem> problems =
        problems(
            flag(
                """
                {"if": [{"and": [
                  {"sem_ver": [{"var": "v"}, ">=", "1.0.0.0"]},
                  {"sem_ver": [{"var": "v"}, "=>", "1.0.0"]},
                  {"sem_ver": [{"var": "v"}, ">=", true]},
                  {"sem_ver": [{"var": "v"}, ">="]},
                  {"sem_ver": [{"var": "v"}, ">=", 1.2]}
                ]}, "on", null]}
                """));
    // A version given as a JSON number (the last) is one: flagd prints it and reads "1.2".
    assertThat(problems)
        .extracting(Problem::path)
        .containsExactly(
            "flags.new-checkout.targeting.if[0].and[0].sem_ver[2]",
            "flags.new-checkout.targeting.if[0].and[1].sem_ver[1]",
            "flags.new-checkout.targeting.if[0].and[2].sem_ver[2]",
            "flags.new-checkout.targeting.if[0].and[3].sem_ver");
    assertThat(problems.get(0).message())
        .contains("not a semantic version")
        .endsWith("so the flag resolves to its default variant");
  }

  @Test
  void arityAndShapeProblems() {
    assertThat(
            paths(
                flag(
                    """
                    {"if": [{"or": [
                      {"==": [1]},
                      {">": [1, 2, 3]},
                      {"starts_with": ["a"]},
                      {"in": "x"},
                      {"var": "a", "extra": 1}
                    ]}, "on", null]}
                    """)))
        .containsExactly(
            "flags.new-checkout.targeting.if[0].or[0].==",
            "flags.new-checkout.targeting.if[0].or[1].>",
            "flags.new-checkout.targeting.if[0].or[2].starts_with",
            "flags.new-checkout.targeting.if[0].or[3].in",
            "flags.new-checkout.targeting.if[0].or[4]");
  }

  @Test
  void documentAndFlagShape() {
    assertThat(paths("{}")).containsExactly("flags");
    assertThat(paths("[1]")).containsExactly("");
    assertThat(paths("{\"flags\": {\"a\": 1}}")).containsExactly("flags.a");
    assertThat(paths("not json")).containsExactly("");
    assertThat(paths("{\"flags\": {}, \"flags\": {}}")).containsExactly("");
    assertThat(
            paths(
                """
                {"flags": {"f": {"state": "ON", "variants": {}, "targeting": []}},
                 "metadata": {"nested": {"x": 1}}}
                """))
        .containsExactly(
            "metadata.nested", "flags.f.state", "flags.f.variants", "flags.f.targeting");
  }

  @Test
  void everyFlagIsCheckedAndTheMessageListsAllProblems() {
    String doc =
        """
        {"flags": {
          "a": {"state": "ENABLED", "variants": {"x": 1}, "defaultVariant": "y"},
          "b": {"state": "ENABLED", "variants": {"x": [1]}, "defaultVariant": "x"},
          "c": {"state": "ENABLED", "variants": {"x": 1}, "defaultVariant": "x",
                "targeting": {"fractional": [["x", 1.5]]}}}}
        """;
    FlagDefinitionException e =
        catchThrowableOfType(FlagDefinitionException.class, () -> FlagEngine.parse(doc));
    assertThat(e.problems())
        .extracting(Problem::path)
        .containsExactly(
            "flags.a.defaultVariant", "flags.b.variants.x", "flags.c.targeting.fractional[0][1]");
    assertThat(e.getMessage())
        .startsWith("invalid flag definitions (3 problems)")
        .contains("flags.c.targeting.fractional[0][1]: a weight is a whole number");
  }
}
