package dev.sluice.api.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.common.Problems;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.services.ServiceSpec.CanarySpec;
import dev.sluice.api.services.ServiceSpec.PauseSpec;
import dev.sluice.api.services.ServiceSpec.RollingSpec;
import dev.sluice.api.services.ServiceSpec.StepSpec;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.RollingOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrategyOptionsTest {

  static List<FieldError> problemsOf(Problems problems) {
    try {
      problems.throwIfAny();
      return List.of();
    } catch (ApiException e) {
      return e.body().errors() == null
          ? List.of(new FieldError(e.body().field(), e.body().message()))
          : e.body().errors();
    }
  }

  @Test
  void aBatchLargerThanTheFleetIsRefusedAndAPercentageIsNot() {
    Problems problems = new Problems();

    StrategyOptions.rolling("rolling", new RollingSpec(5, "50%", "10s", null, null), 3, problems);

    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError("rolling.batchSize", "is 5 but the fleet has only 3 targets"));
  }

  @Test
  void rollingSettingsGoBackToTheWireInTheirShortestForm() {
    Problems problems = new Problems();
    RollingOptions options =
        StrategyOptions.rolling(
            "rolling", new RollingSpec(2, "25%", "PT90S", "2m", true), 4, problems);

    assertThat(problems.isEmpty()).isTrue();
    assertThat(StrategyOptions.rollingSpec(options))
        .isEqualTo(new RollingSpec("2", "25%", "90s", "2m", true));
  }

  @Test
  void zoneSettingsAreCheckedAndGoBackToTheWire() {
    Problems problems = new Problems();
    RollingOptions options =
        StrategyOptions.rolling(
            "rolling",
            new RollingSpec(null, null, null, null, null, true, "PT600S", "50%"),
            4,
            problems);
    StrategyOptions.rolling(
        "overrides",
        new RollingSpec(null, null, null, null, null, true, "soon", "half"),
        4,
        problems);

    assertThat(StrategyOptions.rollingSpec(options))
        .isEqualTo(new RollingSpec(null, null, null, null, null, true, "10m", "50%"));
    assertThat(problemsOf(problems))
        .extracting(FieldError::field)
        .containsExactly("overrides.zoneBake", "overrides.minHealthyPerZone");
  }

  @Test
  void aCanaryStepHasExactlyOneKindAndKeepsTheOthersInOrder() {
    Problems problems = new Problems();
    CanaryOptions canary =
        StrategyOptions.canary(
            "canary",
            new CanarySpec(
                List.of(
                    new StepSpec(10, null, null),
                    new StepSpec(20, new PauseSpec("1m"), null),
                    new StepSpec(null, new PauseSpec(null), null)),
                1),
            3,
            problems);

    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError(
                "canary.steps[1]", "must have exactly one of setWeight, pause, analysis"));
    assertThat(canary.steps()).hasSize(2);
  }
}
