package dev.sluice.api.services;

import static dev.sluice.api.services.StrategyOptionsTest.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.ProviderSpec;
import dev.sluice.model.ProviderRef;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderSpecsTest {

  static final Set<String> KNOWN = Set.of("haproxy");

  @Test
  void aKnownTypeWithItsSettingsIsTaken() {
    Problems problems = new Problems();

    ProviderRef ref =
        ProviderSpecs.provider(
            "trafficRouter",
            new ProviderSpec("haproxy", Map.of("backend", "app")),
            KNOWN,
            problems);

    assertThat(problems.isEmpty()).isTrue();
    assertThat(ProviderSpecs.spec(ref))
        .isEqualTo(new ProviderSpec("haproxy", Map.of("backend", "app")));
  }

  @Test
  void aMissingOrUnknownTypeNamesTheKnownOnes() {
    Problems problems = new Problems();

    ProviderSpecs.provider("trafficRouter", null, KNOWN, problems);
    ProviderSpecs.provider("deployer", new ProviderSpec("nginx", null), KNOWN, problems);

    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError("trafficRouter.type", "is required; known types: [haproxy]"),
            new FieldError("deployer.type", "unknown type \"nginx\"; known types: [haproxy]"));
  }

  @Test
  void aNullSettingIsRefusedAndSettingsThatDoNotBuildAreNamed() {
    Problems problems = new Problems();
    Map<String, Object> settings = new HashMap<>();
    settings.put("socket", null);

    assertThat(
            ProviderSpecs.provider(
                "trafficRouter", new ProviderSpec("haproxy", settings), KNOWN, problems))
        .isNull();
    ProviderSpecs.check(
        "trafficRouter.settings",
        ProviderRef.of("haproxy"),
        ref -> {
          throw new ConfigurationException("socket is required");
        },
        problems);

    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError(
                "trafficRouter.settings.socket", "must not be null; leave it out instead"),
            new FieldError("trafficRouter.settings", "socket is required"));
  }
}
