package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.flags.FlagDefinitionException.Problem;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link FlagEngine#load}: a document read flag by flag, as flagd loads a file. */
class LenientLoadingTest {

  private static final String DOCUMENT =
      """
      {"metadata": {"team": "web", "nested": {"x": 1}},
       "flags": {
        "good": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "unknown-operator": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "defaultVariant": "off", "targeting": {"if": [{"regex": [{"var": "a"}, "x"]}, "on", "off"]}},
        "mixed-variants": {"state": "ENABLED", "variants": {"a": 1, "b": "two"}, "defaultVariant": "a"},
        "no-such-default": {"state": "ENABLED", "variants": {"a": 1}, "defaultVariant": "z"},
        "no-state": {"variants": {"a": 1}, "defaultVariant": "a"},
        "clamped": {"state": "ENABLED", "variants": {"a": "a", "b": "b"}, "defaultVariant": "a",
          "targeting": {"fractional": [["a", -5], ["b", 5]]}}
      }}
      """;

  @Test
  void goodFlagsAreServedAndEachBadOneIsListedWithItsProblems() throws FlagDefinitionException {
    FlagEngine engine = FlagEngine.load(DOCUMENT);

    assertThat(engine.flagKeys()).containsExactly("good", "clamped");
    assertThat(engine.evaluate("good", Boolean.class, null).value()).isTrue();
    assertThat(engine.rejected())
        .extracting(RejectedFlag::key)
        .containsExactly("unknown-operator", "mixed-variants", "no-such-default", "no-state");
    assertThat(engine.rejected().get(0).problems())
        .extracting(Problem::path)
        .containsExactly("flags.unknown-operator.targeting.if[0].regex");
    assertThat(engine.rejected().get(2).reason())
        .isEqualTo(
            "flags.no-such-default.defaultVariant: 'defaultVariant' \"z\" is not among the"
                + " variants (a)");
  }

  @Test
  void aRejectedFlagAnswersParseErrorWithItsReason() throws FlagDefinitionException {
    FlagEngine engine = FlagEngine.load(DOCUMENT);

    EvaluationResult<Double> result =
        engine.evaluate("mixed-variants", Double.class, EvaluationContext.empty());
    assertThat(result.reason()).isEqualTo(Reason.ERROR);
    assertThat(result.errorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(result.value()).isNull();
    assertThat(result.errorMessage())
        .startsWith("flag 'mixed-variants' could not be loaded: flags.mixed-variants.variants.b:");
    assertThat(engine.evaluate("absent", Double.class, null).errorCode())
        .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
  }

  @Test
  void whatFlagdAnswersItsOwnWayIsServedThatWayAndWarnedAbout() throws FlagDefinitionException {
    FlagEngine engine = FlagEngine.load(DOCUMENT);

    // ["a", -5] counts as ["a", 0]: every context lands in "b".
    for (String key : new String[] {"u1", "u2", "u3", "u4"}) {
      assertThat(engine.evaluate("clamped", String.class, EvaluationContext.of(key)).value())
          .isEqualTo("b");
    }
    assertThat(engine.warnings())
        .extracting(Problem::path)
        .containsExactly("metadata.nested", "flags.clamped.targeting.fractional[0][1]");
    assertThat(engine.metadata()).isEqualTo(Map.of("team", "web"));
  }

  @Test
  void theStrictReadingRefusesTheDocumentListingEveryProblemAndWarning() {
    FlagDefinitionException e =
        catchThrowableOfType(FlagDefinitionException.class, () -> FlagEngine.parse(DOCUMENT));
    assertThat(e.problems())
        .extracting(Problem::path)
        .containsExactly(
            "metadata.nested",
            "flags.unknown-operator.targeting.if[0].regex",
            "flags.mixed-variants.variants.b",
            "flags.no-such-default.defaultVariant",
            "flags.no-state.state",
            "flags.clamped.targeting.fractional[0][1]");
  }

  @Test
  void onlyADocumentThatIsNoFlagDocumentFailsAsAWhole() {
    for (String text : new String[] {"not json", "[1]", "{}", "{\"flags\": []}"}) {
      assertThat(catchThrowableOfType(FlagDefinitionException.class, () -> FlagEngine.load(text)))
          .as(text)
          .isNotNull();
    }
  }

  @Test
  void aStrictlyCompiledEngineHasNothingRejectedOrWarned() throws FlagDefinitionException {
    FlagEngine engine =
        FlagEngine.parse(
            "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1},"
                + " \"defaultVariant\": \"x\"}}}");
    assertThat(engine.rejected()).isEmpty();
    assertThat(engine.warnings()).isEmpty();
  }
}
