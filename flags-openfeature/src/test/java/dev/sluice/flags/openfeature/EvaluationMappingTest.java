package dev.sluice.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.NoOpProvider;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Value;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagEngine;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sluice's results as OpenFeature sees them, through a client on a domain of its own. */
class EvaluationMappingTest {

  private final String domain = "mapping-" + UUID.randomUUID();
  private SluiceProvider provider;
  private Client client;

  @BeforeEach
  void setUp() throws Exception {
    provider = SluiceProvider.ofDocument(Docs.MAPPING);
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, provider);
    client = OpenFeatureAPI.getInstance().getClient(domain);
  }

  @AfterEach
  void tearDown() {
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, new NoOpProvider());
  }

  @Test
  void aStaticFlagResolvesWithVariantReasonAndMergedMetadata() {
    FlagEvaluationDetails<Boolean> details = client.getBooleanDetails("static-bool", false);

    assertThat(details.getValue()).isTrue();
    assertThat(details.getVariant()).isEqualTo("on");
    assertThat(details.getReason()).isEqualTo("STATIC");
    assertThat(details.getErrorCode()).isNull();
    assertThat(details.getFlagMetadata().getString("owner")).isEqualTo("team-web");
    assertThat(details.getFlagMetadata().getString("flagSetId")).isEqualTo("sluice");
    assertThat(details.getFlagMetadata().getInteger("version")).isEqualTo(7);
  }

  @Test
  void nestedStructuresAndListsInTheContextReachTargeting() {
    var pro =
        new ImmutableContext(
            "u-1",
            Map.of(
                "user", new Value(new ImmutableStructure(Map.of("plan", new Value("pro")))),
                "groups", new Value(List.of())));
    var beta =
        new ImmutableContext(
            "u-2", Map.of("groups", new Value(List.of(new Value("alpha"), new Value("beta")))));

    FlagEvaluationDetails<String> red = client.getStringDetails("colour", "none", pro);
    FlagEvaluationDetails<String> blue = client.getStringDetails("colour", "none", beta);
    FlagEvaluationDetails<String> fallThrough =
        client.getStringDetails("colour", "none", new ImmutableContext("u-3"));

    assertThat(red.getValue()).isEqualTo("red");
    assertThat(red.getReason()).isEqualTo("TARGETING_MATCH");
    assertThat(blue.getValue()).isEqualTo("blue");
    assertThat(blue.getVariant()).isEqualTo("blue");
    assertThat(fallThrough.getValue()).isEqualTo("green");
    assertThat(fallThrough.getReason()).isEqualTo("DEFAULT");
  }

  @Test
  void withoutADefaultVariantAFallThroughIsTheCodeDefault() {
    FlagEvaluationDetails<Boolean> details =
        client.getBooleanDetails("no-default", true, new ImmutableContext("u-1"));

    assertThat(details.getValue()).isTrue();
    assertThat(details.getReason()).isEqualTo("DEFAULT");
    assertThat(details.getVariant()).isNull();
    assertThat(details.getErrorCode()).isNull();
  }

  @Test
  void aSplitMatchesTheEngineForEveryTargetingKey() throws Exception {
    FlagEngine engine = FlagEngine.parse(Docs.MAPPING);
    for (int i = 0; i < 200; i++) {
      String key = "user-" + i;
      EvaluationResult<String> expected =
          engine.evaluate("split", String.class, EvaluationContext.of(key));

      FlagEvaluationDetails<String> actual =
          client.getStringDetails("split", "none", new ImmutableContext(key));

      assertThat(actual.getValue()).as(key).isEqualTo(expected.value());
      assertThat(actual.getVariant()).as(key).isEqualTo(expected.variant());
      assertThat(actual.getReason()).as(key).isEqualTo("SPLIT");
    }
  }

  @Test
  void aDisabledFlagAnswersTheCodeDefaultWithReasonDisabled() {
    FlagEvaluationDetails<Boolean> details = client.getBooleanDetails("killed", false);

    assertThat(details.getValue()).isFalse();
    assertThat(details.getReason()).isEqualTo("DISABLED");
    assertThat(details.getErrorCode()).isNull();
  }

  @Test
  void numbersResolveAsIntegersWhenIntegralAndAsDoubles() {
    var few = new MutableContext("u-1").add("seats", 5);
    var many = new MutableContext("u-1").add("seats", 500);

    assertThat(client.getIntegerValue("limits", 0, few)).isEqualTo(3);
    assertThat(client.getDoubleValue("limits", 0.0, many)).isEqualTo(10.5);
    assertThat(client.getLongValue("limits", 0L, few)).isEqualTo(3L);
    FlagEvaluationDetails<Integer> fractional = client.getIntegerDetails("limits", -1, many);
    assertThat(fractional.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(fractional.getValue()).isEqualTo(-1);
  }

  @Test
  void anObjectFlagBecomesAStructure() {
    Value value = client.getObjectValue("config", new Value("fallback"));

    assertThat(value.isStructure()).isTrue();
    var config = value.asStructure();
    assertThat(config.getValue("color").asString()).isEqualTo("red");
    assertThat(config.getValue("limit").asInteger()).isEqualTo(5);
    assertThat(config.getValue("tags").asList())
        .extracting(Value::asString)
        .containsExactly("x", "y");
    assertThat(config.getValue("nested").asStructure().getValue("on").asBoolean()).isTrue();
  }

  @Test
  void errorsAreValuesWithTheCodeDefault() {
    FlagEvaluationDetails<Boolean> missing = client.getBooleanDetails("nope", true);
    assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(missing.getValue()).isTrue();
    assertThat(missing.getReason()).isEqualTo("ERROR");

    FlagEvaluationDetails<String> wrongType = client.getStringDetails("static-bool", "x");
    assertThat(wrongType.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(wrongType.getValue()).isEqualTo("x");

    FlagEvaluationDetails<Value> notAnObject =
        client.getObjectDetails("static-bool", new Value("fallback"));
    assertThat(notAnObject.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);

    FlagEvaluationDetails<Boolean> unknownVariant =
        client.getBooleanDetails(
            "bad-target", true, new MutableContext("u-1").add("pick", "maybe"));
    assertThat(unknownVariant.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(unknownVariant.getValue()).isTrue();
  }

  @Test
  void instantsInTheContextAreIsoStrings() {
    Instant at = Instant.parse("2025-01-02T03:04:05Z");
    var ctx = new MutableContext("u-1").add("at", at);

    EvaluationContext sluice = Values.toSluice(ctx);

    assertThat(sluice.get("at")).isEqualTo("2025-01-02T03:04:05Z");
    assertThat(sluice.targetingKey()).isEqualTo("u-1");
  }

  @Test
  void everySluiceErrorCodeHasItsOpenFeatureNamesake() {
    for (dev.sluice.flags.ErrorCode code : dev.sluice.flags.ErrorCode.values()) {
      assertThat(SluiceProvider.errorCode(code).name()).isEqualTo(code.name());
    }
  }

  @Test
  void beforeTheFirstSnapshotEvaluationsAreProviderNotReady() {
    SluiceProvider unstarted = SluiceProvider.builder("http://127.0.0.1:9").build();

    ProviderEvaluation<Boolean> result =
        unstarted.getBooleanEvaluation("banner", true, new ImmutableContext());

    assertThat(result.getErrorCode()).isEqualTo(ErrorCode.PROVIDER_NOT_READY);
    assertThat(result.getValue()).isTrue();
    assertThat(result.getReason()).isEqualTo("ERROR");
    unstarted.shutdown();
  }
}
