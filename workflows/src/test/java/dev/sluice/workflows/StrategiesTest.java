package dev.sluice.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.BlueGreenOptions;
import dev.sluice.model.CanaryOptions;
import dev.sluice.model.DeploymentRequest;
import dev.sluice.model.IntOrPercent;
import dev.sluice.model.OptionOverrides;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.RollingOptions;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Strategy;
import dev.sluice.model.Target;
import dev.sluice.workflows.bluegreen.BlueGreenDeploymentWorkflow;
import dev.sluice.workflows.canary.CanaryDeploymentWorkflow;
import dev.sluice.workflows.rolling.RollingDeploymentWorkflow;
import io.temporal.workflow.WorkflowInterface;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrategiesTest {

  static final Target BLUE = new Target("b1", "127.0.0.1", 9001, "blue");
  static final Target GREEN = new Target("g1", "127.0.0.1", 9002, "green");
  static final Target PLAIN_1 = new Target("t1", "127.0.0.1", 9003, null);
  static final Target PLAIN_2 = new Target("t2", "127.0.0.1", 9004, null);

  static List<String> fleetProblems(Strategy strategy, Target... fleet) {
    return Strategies.of(strategy).fleetProblems("shop", List.of(fleet));
  }

  @Test
  void everyStrategyHasRulesWhoseWorkflowImplementsItsType() {
    assertThat(Strategies.ALL.stream().map(StrategyRules::strategy))
        .containsExactly(Strategy.values());
    assertThat(Strategies.workflowType("rolling")).isEqualTo(RollingDeploymentWorkflow.TYPE);
    assertThat(Strategies.workflowType("canary")).isEqualTo(CanaryDeploymentWorkflow.TYPE);
    assertThat(Strategies.workflowType("blue-green")).isEqualTo(BlueGreenDeploymentWorkflow.TYPE);
    for (StrategyRules rules : Strategies.ALL) {
      assertThat(
              Arrays.stream(rules.workflowImplementation().getInterfaces())
                  .filter(i -> i.isAnnotationPresent(WorkflowInterface.class))
                  .map(Class::getSimpleName))
          .as(rules.strategy() + "'s implementation")
          .containsExactly(rules.workflowType() + "Workflow");
    }
    assertThat(Strategies.byId("recreate")).isEmpty();
    assertThat(Strategies.ids()).isEqualTo("[rolling, canary, blue-green]");
  }

  @Test
  void blueGreenNeedsExactlyTwoPoolsAndAPoolOnEveryTarget() {
    assertThat(fleetProblems(Strategy.BLUE_GREEN, BLUE, GREEN)).isEmpty();
    assertThat(fleetProblems(Strategy.BLUE_GREEN, BLUE))
        .containsExactly("blue-green needs exactly two pools, the fleet has [blue]");
    assertThat(fleetProblems(Strategy.BLUE_GREEN, BLUE, PLAIN_1))
        .containsExactly("blue-green needs a pool on every target; t1 has none");
  }

  @Test
  void aCanaryNeedsTwoTargetsInOnePool() {
    assertThat(fleetProblems(Strategy.CANARY, PLAIN_1, PLAIN_2)).isEmpty();
    assertThat(fleetProblems(Strategy.CANARY, PLAIN_1))
        .containsExactly(
            "a canary needs at least two targets, a canary and a stable one; shop has 1");
    assertThat(fleetProblems(Strategy.CANARY, BLUE, GREEN))
        .containsExactly(
            "a canary splits traffic within one backend; shop's targets are in several pools");
    assertThat(fleetProblems(Strategy.ROLLING, BLUE)).isEmpty();
  }

  @Test
  void settleLaysTheOverridesOverTheServiceOverTheDefaultsAndLeavesOtherBlocksUnset() {
    ServiceDefinition service =
        new ServiceDefinition(
            "shop",
            List.of(PLAIN_1, PLAIN_2),
            ProviderRef.of("memory"),
            ProviderRef.of("memory"),
            null,
            "rolling",
            new RollingOptions(IntOrPercent.count(2), null, Duration.ofSeconds(5), null, null),
            new CanaryOptions(null, IntOrPercent.count(1)),
            new BlueGreenOptions(null, true, null, null, null, null, null));
    OptionOverrides overrides =
        new OptionOverrides(
            new RollingOptions(null, null, Duration.ofSeconds(1), null, null), null, null);

    DeploymentRequest canary =
        Strategies.of(Strategy.CANARY)
            .settle(overrides, service, DeploymentRequest.builder())
            .build();
    assertThat(canary.rolling())
        .isEqualTo(
            new RollingOptions(IntOrPercent.count(2), null, Duration.ofSeconds(1), null, null)
                .orElse(RollingOptions.DEFAULT));
    assertThat(canary.canary())
        .isEqualTo(new CanaryOptions(null, IntOrPercent.count(1)).orElse(CanaryOptions.DEFAULT));
    assertThat(canary.blueGreen()).isNull();

    DeploymentRequest blueGreen =
        Strategies.of(Strategy.BLUE_GREEN)
            .settle(OptionOverrides.NONE, service, DeploymentRequest.builder())
            .build();
    assertThat(blueGreen.blueGreen())
        .isEqualTo(
            new BlueGreenOptions(null, true, null, null, null, null, null)
                .orElse(BlueGreenOptions.DEFAULT));
    assertThat(blueGreen.canary()).isNull();

    DeploymentRequest rolling =
        Strategies.of(Strategy.ROLLING)
            .settle(OptionOverrides.NONE, service, DeploymentRequest.builder())
            .build();
    assertThat(rolling.rolling()).isEqualTo(service.rolling().orElse(RollingOptions.DEFAULT));
    assertThat(rolling.canary()).isNull();
    assertThat(rolling.blueGreen()).isNull();
  }

  @Test
  void onlyBlueGreenAbortsBySwitchingBack() {
    assertThat(Strategies.ALL.stream().filter(StrategyRules::abortSwitchesBack))
        .extracting(StrategyRules::strategy)
        .containsExactly(Strategy.BLUE_GREEN);
  }
}
