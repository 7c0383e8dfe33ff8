package dev.sluice.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.MutableStructure;
import dev.openfeature.sdk.Value;
import dev.sluice.flags.EvaluationContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-thread memory of the last converted context never hides a change. */
class ContextConverterTest {

  private final ContextConverter converter = new ContextConverter();

  @Test
  void anEqualImmutableContextReusesTheLastConversion() {
    EvaluationContext first =
        converter.toSluice(new ImmutableContext("u-1", Map.of("country", new Value("NL"))));
    EvaluationContext again =
        converter.toSluice(new ImmutableContext("u-1", Map.of("country", new Value("NL"))));
    EvaluationContext other =
        converter.toSluice(new ImmutableContext("u-1", Map.of("country", new Value("BE"))));
    EvaluationContext otherKey =
        converter.toSluice(new ImmutableContext("u-2", Map.of("country", new Value("BE"))));

    assertThat(again).isSameAs(first);
    assertThat(other.get("country")).isEqualTo("BE");
    assertThat(otherKey.targetingKey()).isEqualTo("u-2");
  }

  @Test
  void aMutableContextIsConvertedAfreshEveryTime() {
    MutableContext context = new MutableContext("u-1").add("country", "NL");
    assertThat(converter.toSluice(context).get("country")).isEqualTo("NL");

    context.add("country", "BE");

    assertThat(converter.toSluice(context).get("country")).isEqualTo("BE");
  }

  @Test
  void nestedValuesAreConvertedDeeplyAndNotRemembered() {
    MutableStructure user = new MutableStructure().add("plan", "pro");
    ImmutableContext context =
        new ImmutableContext(
            "u-1",
            Map.of(
                "user", new Value(user),
                "groups", new Value(List.of(new Value("beta"), new Value(3))),
                "profile",
                    new Value(
                        new ImmutableStructure(Map.of("age", new Value(41), "x", new Value())))));

    EvaluationContext converted = converter.toSluice(context);

    assertThat(converted.get("user")).isEqualTo(Map.of("plan", "pro"));
    assertThat(converted.get("groups")).isEqualTo(List.of("beta", 3.0));
    assertThat(((Map<?, ?>) converted.get("profile")).get("age")).isEqualTo(41.0);
    assertThat(((Map<?, ?>) converted.get("profile")).containsKey("x")).isTrue();
    assertThat(converter.toSluice(context)).isNotSameAs(converted).isEqualTo(converted);
  }
}
