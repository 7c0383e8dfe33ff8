package dev.sluice.api.services;

import static dev.sluice.api.services.StrategyOptionsTest.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.activities.StandardProviders;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.HealthCheckSpecBody;
import dev.sluice.model.HealthCheckSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthCheckSpecsTest {

  final HealthCheckSpecs checks = new HealthCheckSpecs(StandardProviders.registry());

  @Test
  void noHealthCheckMeansTheDefaults() {
    assertThat(checks.healthCheck(null, new Problems())).isEqualTo(HealthCheckSpec.DEFAULT);
  }

  @Test
  void givenFieldsAreCheckedAndDurationsRead() {
    Problems problems = new Problems();

    HealthCheckSpec spec =
        checks.healthCheck(
            new HealthCheckSpecBody("http", "/ready", 204, null, null, 3, "2s", "30s", null),
            problems);

    assertThat(problems.isEmpty()).isTrue();
    assertThat(spec.path()).isEqualTo("/ready");
    assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void eachBadFieldIsNamed() {
    Problems problems = new Problems();

    checks.healthCheck(
        new HealthCheckSpecBody("tcp", "ready", 700, null, "ok", 0, null, null, null), problems);

    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError("healthCheck.type", "unknown type \"tcp\"; known types: [http]"),
            new FieldError("healthCheck.path", "must start with /"),
            new FieldError(
                "healthCheck.expectedStatus", "must be an HTTP status between 100 and 599"),
            new FieldError("healthCheck.consecutiveSuccesses", "must be at least 1"),
            new FieldError("healthCheck.jsonValue", "needs healthCheck.jsonField"));
  }
}
